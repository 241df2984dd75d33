// A real OCI registry for integration tests: Debian's docker-registry (Distribution 2.8) on
// 127.0.0.1, optionally with TLS (a CA of the test's own), htpasswd basic auth, or bearer tokens
// from token_server.py. Needs /usr/bin/docker-registry, htpasswd, openssl and curl.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "testing/background_process.h"
#include "testing/test_env.h"

namespace kiln::testing {

enum class RegistryAuth {
  kNone,   // Anyone pulls and pushes.
  kBasic,  // auth.htpasswd: user() / password().
  kToken,  // auth.token: the registry sends clients to token_server.py, which knows user().
};

struct RegistryOptions {
  RegistryAuth auth = RegistryAuth::kNone;
  bool tls = false;  // https with a certificate for IP 127.0.0.1 signed by ca_file().
  std::string user = "kiln-tester";
};

// Started by Start(); ready when Start() returns (GET /v2/ answered). The destructor stops the
// registry and the token server and removes the directory holding config, certs and data.
class RegistryServer {
 public:
  static Result<std::unique_ptr<RegistryServer>> Start(const RegistryOptions& options = {});
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }  // "127.0.0.1:PORT"
  std::string url() const { return (tls_ ? "https://" : "http://") + host(); }
  int port() const { return port_; }
  bool tls() const { return tls_; }
  const std::string& ca_file() const { return ca_file_; }  // "" without TLS.
  const std::string& user() const { return user_; }
  // A random password made for this server (a secret: never log it).
  const std::string& password() const { return password_; }
  // The registry's storage root (docker/registry/v2/... below it).
  std::string data_dir() const { return dir_.Sub("data"); }
  // The token server's URL ("" unless kToken) and how many requests it has answered.
  const std::string& token_realm() const { return token_realm_; }
  int TokenRequests() const;
  // The token server's request log: "METHOD user scopes status" lines.
  std::string TokenLog() const;
  // The registry's log (errors only).
  std::string Log() const { return registry_ ? registry_->Log() : ""; }

 private:
  RegistryServer() = default;
  Status MakeTls();
  Status MakeHtpasswd();
  Status StartTokenServer();
  Status StartRegistry(const RegistryOptions& options);
  std::string Config(const RegistryOptions& options) const;

  ScratchDir dir_;
  int port_ = 0;
  bool tls_ = false;
  std::string ca_file_, user_, password_, http_secret_, token_realm_;
  std::unique_ptr<BackgroundProcess> token_server_;
  std::unique_ptr<BackgroundProcess> registry_;
};

// Waits (bounded: `attempts` tries 50 ms apart, ~15 s) until `url` answers an HTTP request with
// any status and, when `header` is not empty, with that header line ("Name: value", compared
// without case), trusting `ca_file` when not empty. Fails early when `process` exits.
Status WaitForHttp(const std::string& url, const std::string& ca_file,
                   const BackgroundProcess& process, const std::string& header = "",
                   int attempts = 300);

}  // namespace kiln::testing
