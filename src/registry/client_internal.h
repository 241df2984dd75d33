// The client's machinery shared by its files (client.cc: manifests, tags, ping; blobs.cc:
// blob reads and mounts; upload.cc: pushes; send.cc: one request). Internal to registry/.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "registry/auth.h"
#include "registry/client.h"
#include "registry/endpoint.h"
#include "registry/retry.h"

namespace kiln::registry {

using Headers = std::multimap<std::string, std::string>;

// One request of an operation, before the host's base URL, auth and retries.
struct Call {
  std::string method = "GET";
  std::string url;  // "/v2/…" (on the host's base) or absolute (a Location the host sent)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::function<Result<size_t>(char* buf, size_t n)> body_reader;  // not replayable
  int64_t body_size = -1;
  // A 2xx answer's body goes here; any other status's body to Response::body.
  std::function<Status(std::string_view chunk)> on_body;
  std::function<Status(int status, const Headers& headers)> on_head;  // 2xx answers, with on_body
  std::vector<std::string> scopes;                                    // "repository:team/tool:pull"
  bool follow_redirects = false;  // GET/HEAD of blobs: to storage, without Authorization
  int64_t max_body = int64_t{16} << 20;
  // When set: whether the answer returned came to a request that carried Authorization.
  bool* authorized = nullptr;
};

class Client::Impl {
 public:
  Impl(std::string host, ClientOptions options);

  // One try of `call`: on the host's base (HTTPS, else plain HTTP where the endpoint allows it
  // and the host does not speak TLS), with the Authorization the host asked for (answering one
  // 401, once), redirects followed without Authorization. An HTTP error status is a Response.
  Result<Response> Send(const Call& call);
  // Send() retried per the policy; a status outside `ok` becomes the registry's error (errors.h)
  // with `what`, and a last transient failure says how many tries were made.
  Result<Response> SendChecked(const Call& call, const std::string& what,
                               std::initializer_list<int> ok);
  // `result` (not Ok, or a status outside `ok`) as a Status naming `what` and the tries.
  static Status Failure(const Result<Response>& result, const std::string& what, int tries);
  // Tells options.log (else kiln's log) one line, one caller at a time.
  void Log(LogLevel level, const std::string& line) const;
  class BlobPush;  // upload.cc

  const std::string host;
  const ClientOptions options;
  const Endpoint endpoint;

 private:
  Result<Response> SendTo(const std::string& base, const Call& call);
  Result<Response> Transfer(const Call& call, const std::string& url, const std::string& auth,
                            const TlsPolicy& tls);
  Authorizer auth_;
  std::mutex mu_;
  std::string base_;           // the base that answered, once one did
  mutable std::mutex log_mu_;  // options.log sees one line at a time
};

// "repository:REPO:ACTIONS".
inline std::string Scope(const std::string& repo, const std::string& actions) {
  return "repository:" + repo + ":" + actions;
}

}  // namespace kiln::registry
