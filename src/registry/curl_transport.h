// The libcurl transport behind NewCurlTransport() (transport.h), with counters for tests and
// diagnostics: which HTTP versions carried the transfers and how many connections they opened.
//
// One thread of its own runs a curl multi handle: Do() hands it an easy handle and waits. The
// multi handle keeps the connections (HTTP/1.1 keep-alive; HTTP/2 multiplexed, one connection
// per host, a transfer waiting for a connection being set up rather than opening another).
// Destroying the transport stops the thread; it must outlive every Do() call.
//
// Every socket it keeps is close-on-exec (curl 7.88 opens none so: kiln opens the connections'
// for it and marks the wakeup pair). One gap: the threaded resolver's socket pair, alive while
// a host name (not an address, not "localhost") is being resolved, is not.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "registry/transport.h"

namespace kiln::registry {

class Transfer;

struct CurlTransportOptions {
  // A transfer that moves under 1 byte/s for this long fails as Unavailable (to be retried); a
  // transfer its own sink holds back (paused) is not stalled. curl averages the speed over its
  // last 5 s, so a stall is noticed up to 5 s later than this.
  int stall_seconds = 60;
  int connect_timeout_seconds = 30;
};

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  Result<Response> Do(const Request& request) override;

  struct Stats {
    int64_t transfers = 0;        // finished Do() calls that reached curl
    int64_t connections = 0;      // connections opened for them
    int64_t http2_transfers = 0;  // of which carried by HTTP/2
    int64_t max_buffered = 0;     // most response bytes one transfer held for its sink at once
  };
  Stats stats() const;

 private:
  void Loop();
  bool AddPending();  // true when there were any
  void ApplyControls();
  void ReapDone();
  void Poke();

  const CurlTransportOptions options_;
  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::vector<Transfer*> pending_;  // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::atomic<bool> poked_{false};
  std::set<Transfer*> active_;  // loop thread only
  std::atomic<int64_t> transfers_{0}, connections_{0}, http2_transfers_{0}, max_buffered_{0};
  std::thread thread_;
};

}  // namespace kiln::registry
