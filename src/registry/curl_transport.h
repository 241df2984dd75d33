// The libcurl transport behind NewCurlTransport() (transport.h), with counters for tests and
// diagnostics: which HTTP versions carried the transfers and how many connections they opened.
//
// One thread of its own runs a curl multi handle: Do() hands it an easy handle and waits. The
// multi handle keeps the connections (HTTP/1.1 keep-alive; HTTP/2 multiplexed, one connection
// per host, a transfer waiting for a connection being set up rather than opening another).
// Destroying the transport stops the thread; it must outlive every Do() call.
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

class CurlTransport final : public Transport {
 public:
  CurlTransport();
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
  void AddPending();
  void ApplyControls();
  void ReapDone();
  void Poke();

  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::vector<Transfer*> pending_;  // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::atomic<bool> poked_{false};
  std::set<Transfer*> active_;      // loop thread only
  std::atomic<int64_t> transfers_{0}, connections_{0}, http2_transfers_{0}, max_buffered_{0};
  std::thread thread_;
};

}  // namespace kiln::registry
