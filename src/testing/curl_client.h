// A small HTTP client for registry tests, driving the curl CLI (an independent judge of what
// the fixtures and kiln serve). Credentials travel in curl's config on its stdin, never argv.
#pragma once

#include <string>
#include <vector>

#include "testing/test_env.h"

namespace kiln::testing {

struct HttpReply {
  int status = 0;  // 0: no HTTP answer (connection refused or cut, TLS not trusted, ...).
  int curl_exit = -1;
  std::string headers;  // The raw header block(s).
  std::string body;
  std::string http_version;  // "1.1", "2".
  // The value of the last header `name` (case-insensitive), "" when absent.
  std::string Header(const std::string& name) const;
};

class CurlClient {
 public:
  explicit CurlClient(std::string ca_file = "") : ca_file_(std::move(ca_file)) {}
  void SetBasic(const std::string& user, const std::string& password);
  void SetBearer(const std::string& token);
  // Forces HTTP/1.1 (e.g. through FaultProxy).
  void ForceHttp11() { http11_ = true; }

  HttpReply Get(const std::string& url) { return Do("GET", url, nullptr); }
  HttpReply Head(const std::string& url) { return Do("HEAD", url, nullptr); }
  HttpReply Post(const std::string& url, const std::string& body) { return Do("POST", url, &body); }
  HttpReply Put(const std::string& url, const std::string& body) { return Do("PUT", url, &body); }
  HttpReply Patch(const std::string& url, const std::string& body) {
    return Do("PATCH", url, &body);
  }
  // Any method; `headers` are extra "Name: value" lines.
  HttpReply Do(const std::string& method, const std::string& url, const std::string* body,
               const std::vector<std::string>& headers = {});

 private:
  std::string ca_file_;
  std::string auth_config_;  // curl config lines holding the credentials.
  bool http11_ = false;
  ScratchDir dir_;
};

// Uploads `data` to `base_url`/v2/`repo` as one blob (POST, then PUT ?digest= with the data);
// returns its digest, or "" (and a test failure) when the registry refuses.
std::string PushBlob(CurlClient& curl, const std::string& base_url, const std::string& repo,
                     const std::string& data);

}  // namespace kiln::testing
