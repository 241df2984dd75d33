// HTTP under the distribution client: one request in, one response out, behind an interface so
// that the client's suite runs on the real transport (libcurl's multi interface, HTTP/2, against
// Debian's docker-registry) and on an in-memory registry (fake_registry.h).
//
// Contract:
// - Do() is thread-safe and blocks the calling thread until the response is complete (or the
//   transfer failed). Many threads may call it at once; the curl transport multiplexes their
//   requests over one HTTP/2 connection per host (HTTP/1.1 keep-alive connections otherwise).
// - Request::on_body, when set, receives the response body in order, on the calling thread, and
//   Response::body stays empty; the transport buffers a bounded amount per transfer (it pauses
//   the stream beyond that), so a slow sink slows the download instead of growing memory. An
//   error from on_body aborts the transfer and Do() returns it. Without on_body the body is
//   collected into Response::body, up to Request::max_body bytes (InvalidArgument beyond).
// - Request::body_reader, when set, is pulled for the request body (body_size bytes, known in
//   advance) instead of Request::body; it is called on the calling thread.
// - A transfer that fails below HTTP (refused, reset, TLS handshake, timeout) is Unavailable
//   (or DeadlineExceeded) with curl's reason; a certificate that is not trusted, or a CA or
//   client certificate file that cannot be used, is FailedPrecondition with a hint (no retry,
//   no plain-HTTP fallback mends it); an HTTP error status is *not* an error here: the
//   response comes back and the client decides.
// - Redirects are not followed (the client follows them, so that credentials never go to
//   another host: Response::headers has "location").
// - Nothing the transport logs or returns contains a request's Authorization header.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiln::registry {

// How to reach one registry host ("127.0.0.1:5000", "quay.io").
struct TlsPolicy {
  bool verify = true;   // false: --tls-verify=false (insecure_registries): no certificate check
  std::string ca_file;  // extra CA bundle (certs.d/HOST:PORT/ca.crt or --cert-dir); "" = none
  std::string client_cert, client_key;  // certs.d/HOST/client.cert and client.key, when present
};

struct Request {
  std::string method = "GET";  // GET HEAD PUT POST PATCH DELETE
  std::string url;             // absolute: https://host:port/v2/...
  // Header names as sent; the transport adds none of its own beyond what HTTP needs.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::function<Result<size_t>(char* buf, size_t n)> body_reader;  // returns 0 at the end
  int64_t body_size = -1;                                          // with body_reader
  std::function<Status(std::string_view chunk)> on_body;
  // With on_body: called once, on the calling thread, with the status and the headers (lower-
  // case names) before the first on_body call (so only when the answer has a body): lets the
  // caller route the body (an error's JSON is not a blob's bytes; a 200 answer to a Range
  // request starts at byte 0). An error from it aborts the transfer and Do() returns it.
  std::function<Status(int status, const std::multimap<std::string, std::string>& headers)> on_head;
  int64_t max_body = int64_t{16} << 20;
  TlsPolicy tls;
  int timeout_seconds = 0;  // whole-transfer timeout; 0 = none (a stall timeout still applies)
};

struct Response {
  int status = 0;
  // Lower-case names; a header sent several times keeps every value.
  std::multimap<std::string, std::string> headers;
  std::string body;  // empty when Request::on_body was set
  // The first value of a header ("" when absent); `name` in lower case.
  std::string Header(std::string_view name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<Response> Do(const Request& request) = 0;
};

// libcurl's multi interface on one thread of its own; HTTP/2 where the server offers it (over
// TLS by ALPN; Distribution speaks HTTP/1.1 in plain text). The system's CAs plus
// Request::tls.ca_file.
std::unique_ptr<Transport> NewCurlTransport();

}  // namespace kiln::registry
