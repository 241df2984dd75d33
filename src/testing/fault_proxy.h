// A loopback TCP proxy in front of a plain-HTTP registry that injects faults on demand: an
// upload cut mid-body, a response cut mid-body, a blob served with one byte flipped (so its
// digest is wrong). It parses HTTP/1.1 framing (Content-Length, chunked, 1xx interim responses,
// HEAD) in both directions of each connection, so keep-alive connections work. Not for HTTP/2
// or TLS: put it in front of an http:// RegistryServer.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "testing/http_framer.h"

namespace kiln::testing {

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards each connection to 127.0.0.1:upstream_port.
  static Result<std::unique_ptr<FaultProxy>> Start(int upstream_port);
  ~FaultProxy();  // Closes every connection and joins every thread.
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Once: the next PATCH or PUT whose body is longer than `body_bytes` (or chunked) is forwarded
  // up to that many body bytes, then both of its connections are closed. Note: Distribution 2.8
  // keeps those bytes, so the session's offset no longer matches its `_state` token and the
  // registry cancels the session (BLOB_UPLOAD_INVALID) at its next request: the client must
  // start that blob's upload again (fault_proxy_itest.cc shows it).
  void CutNextUploadAfter(size_t body_bytes);
  // Once: the next response to a request whose path contains `path_part` (e.g. "/blobs/") and
  // whose body is longer than `body_bytes` is cut after that many body bytes.
  void CutNextResponseAfter(size_t body_bytes, const std::string& path_part = "/blobs/");
  // Until switched off: every 200 response to a GET of .../blobs/... has the body byte at
  // offset `at` flipped (when the body is long enough). Default: the middle of the body.
  void CorruptBlobs(bool on, size_t at = kMiddle);
  static constexpr size_t kMiddle = static_cast<size_t>(-1);

  int uploads_cut() const { return uploads_cut_; }
  int responses_cut() const { return responses_cut_; }
  int blobs_corrupted() const { return blobs_corrupted_; }
  int connections() const { return connections_; }

 private:
  struct Connection;
  // The plan for a request's / a response's body; consumes the once-switches.
  HttpFramer::Plan PlanRequest(const std::string& method, size_t length);
  HttpFramer::Plan PlanResponse(const std::string& method, const std::string& path, int status,
                                size_t length);
  FaultProxy() = default;
  void AcceptLoop();
  void Serve(Connection* c);

  int port_ = 0;
  int upstream_port_ = 0;
  UniqueFd listen_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;  // Guards connections_list_ and the switches below.
  std::vector<std::unique_ptr<Connection>> connections_list_;
  size_t cut_upload_ = static_cast<size_t>(-1);
  size_t cut_response_ = static_cast<size_t>(-1);
  std::string cut_response_path_;
  bool corrupt_ = false;
  size_t corrupt_at_ = kMiddle;
  std::atomic<int> uploads_cut_{0}, responses_cut_{0}, blobs_corrupted_{0}, connections_{0};
};

}  // namespace kiln::testing
