// A tiny HTTP/1.1 server on 127.0.0.1 for transport tests: each connection is served on a
// thread of its own (keep-alive), each request read whole (Content-Length or chunked body,
// `Expect: 100-continue` answered with a 100 first) and handed to the test's handler, which
// writes the raw response itself (HttpResponseText helps) and may write slowly, fail, or close.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/fd.h"
#include "base/status.h"

namespace kiln::testing {

struct HttpRequest {
  std::string method, target;                         // "GET", "/v2/?n=1"
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const;  // first value, "" when absent
};

// The server's side of one connection, for the handler.
class HttpConnection {
 public:
  explicit HttpConnection(int fd) : fd_(fd) {}
  int fd() const { return fd_; }
  // Writes all of `data` (blocking; no SIGPIPE). Fails once the client is gone.
  Status Write(std::string_view data);
  // The handler asks to close the connection after this response.
  void Close() { close_ = true; }
  bool closing() const { return close_; }

 private:
  int fd_;
  bool close_ = false;
};

// "HTTP/1.1 STATUS Reason" with Content-Length: body.size() (or `content_length` when >= 0,
// for a HEAD answer or a body written separately), `headers`, then the body.
std::string HttpResponseText(int status, std::string_view body,
                             const std::vector<std::pair<std::string, std::string>>& headers = {},
                             int64_t content_length = -1);

using HttpHandler = std::function<void(const HttpRequest&, HttpConnection&)>;

class HttpServer {
 public:
  // Listens on 127.0.0.1, a free port; aborts the test binary when it cannot.
  explicit HttpServer(HttpHandler handler);
  // Shuts every connection down and joins every thread (a handler blocked on something else
  // than its connection must be released by the test first).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const;  // "http://127.0.0.1:PORT" + path
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop();
  void Serve(UniqueFd fd);

  HttpHandler handler_;
  UniqueFd listen_fd_;
  int port_ = 0;
  std::atomic<int> connections_{0}, requests_{0};
  std::mutex mu_;
  bool stopping_ = false;      // guarded by mu_
  std::set<int> open_fds_;     // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
  std::thread accept_thread_;
};

// A port on 127.0.0.1 where nothing listens (bound, then closed).
int UnusedLoopbackPort();

}  // namespace kiln::testing
