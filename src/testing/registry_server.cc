#include "testing/registry_server.h"

#include <fcntl.h>

#include <cctype>
#include <chrono>
#include <thread>

#include "base/fd.h"
#include "base/fs.h"
#include "base/subprocess.h"

namespace kiln::testing {
namespace {

constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";
constexpr const char* kTokenService = "kiln-test-registry";
constexpr const char* kTokenIssuer = "kiln-test-token-issuer";  // As in token_server.py.

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<std::string> RandomHex(size_t bytes) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open("/dev/urandom", O_RDONLY));
  std::string raw(bytes, '\0');
  ASSIGN_OR_RETURN(size_t n, ReadFull(fd.get(), raw.data(), bytes));
  if (n != bytes) return Internal("short read from /dev/urandom");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

Status Run(const std::vector<std::string>& argv, const SubprocessOptions& opts = {}) {
  auto r = RunChecked(argv, opts);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

Status WaitForHttp(const std::string& url, const std::string& ca_file,
                   const BackgroundProcess& process, const std::string& header, int attempts) {
  // The headers (-D -) and then the status code, on stdout.
  std::vector<std::string> argv = {"curl", "-s", "-o",           "/dev/null",  "-D",
                                   "-",    "-w", "%{http_code}", "--max-time", "2"};
  if (!ca_file.empty()) argv.insert(argv.end(), {"--cacert", ca_file});
  argv.push_back(url);
  std::string want = AsciiLower(header);
  std::string last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (!process.running()) {
      return Unavailable(url + ": the server exited (" + std::to_string(process.exit_code()) +
                         "): " + process.Log());
    }
    auto r = RunProcess(argv);
    if (r.ok() && r->exit_code == 0 && !r->out.ends_with("000")) {
      if (want.empty() || AsciiLower(r->out).find("\n" + want) != std::string::npos) {
        return Status::Ok();
      }
      last = "; it answers without \"" + header + "\" (another server on the port?)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return DeadlineExceeded(url + " did not answer" + last + ": " + process.Log());
}

Result<std::unique_ptr<RegistryServer>> RegistryServer::Start(const RegistryOptions& options) {
  std::unique_ptr<RegistryServer> s(new RegistryServer());
  s->tls_ = options.tls;
  s->user_ = options.user;
  ASSIGN_OR_RETURN(s->password_, RandomHex(12));
  ASSIGN_OR_RETURN(s->http_secret_, RandomHex(16));
  RETURN_IF_ERROR(MakeDirs(s->data_dir()));
  if (options.tls) RETURN_IF_ERROR_CTX(s->MakeTls(), "test CA");
  if (options.auth == RegistryAuth::kBasic) RETURN_IF_ERROR_CTX(s->MakeHtpasswd(), "htpasswd");
  if (options.auth == RegistryAuth::kToken) {
    RETURN_IF_ERROR_CTX(s->StartTokenServer(), "token server");
  }
  // The free port may be taken between probe and bind: a few attempts.
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = s->StartRegistry(options);
    if (last.ok()) return s;
  }
  return last.WithContext("docker-registry");
}

RegistryServer::~RegistryServer() {
  registry_.reset();
  token_server_.reset();
}

Status RegistryServer::MakeTls() {
  std::string d = dir_.Sub("tls");
  RETURN_IF_ERROR(MakeDirs(d));
  ca_file_ = d + "/ca.crt";
  RETURN_IF_ERROR(Run({"openssl",
                       "req",
                       "-x509",
                       "-newkey",
                       "ec",
                       "-pkeyopt",
                       "ec_paramgen_curve:prime256v1",
                       "-nodes",
                       "-keyout",
                       d + "/ca.key",
                       "-out",
                       ca_file_,
                       "-days",
                       "2",
                       "-subj",
                       "/CN=kiln-test-ca",
                       "-addext",
                       "basicConstraints=critical,CA:TRUE",
                       "-addext",
                       "keyUsage=critical,keyCertSign,cRLSign"}));
  RETURN_IF_ERROR(
      Run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", d + "/server.key", "-out", d + "/server.csr", "-subj", "/CN=127.0.0.1"}));
  RETURN_IF_ERROR(WriteFileAtomic(d + "/ext.cnf",
                                  "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                                  "basicConstraints=CA:FALSE\n"));
  return Run({"openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", ca_file_, "-CAkey",
              d + "/ca.key", "-CAcreateserial", "-out", d + "/server.crt", "-days", "2", "-extfile",
              d + "/ext.cnf"});
}

Status RegistryServer::MakeHtpasswd() {
  SubprocessOptions opts;
  opts.stdin_data = password_;  // -i: the password comes from stdin, never argv.
  ASSIGN_OR_RETURN(auto r, RunChecked({"htpasswd", "-niB", user_}, opts));
  return WriteFileAtomic(dir_.Sub("htpasswd"), r.out, 0600);
}

Status RegistryServer::StartTokenServer() {
  std::string d = dir_.Sub("token");
  RETURN_IF_ERROR(MakeDirs(d, 0700));
  RETURN_IF_ERROR(WriteFileAtomic(d + "/users", user_ + ":" + password_ + "\n", 0600));
  std::string script = SourceDir() + "/src/testing/token_server.py";
  ASSIGN_OR_RETURN(token_server_,
                   BackgroundProcess::Start({"/usr/bin/python3", script, d}, d + "/log"));
  for (int attempt = 0; attempt < 300 && !PathExists(d + "/port"); ++attempt) {
    if (!token_server_->running()) return Unavailable("exited: " + token_server_->Log());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSIGN_OR_RETURN(std::string port, ReadFile(d + "/port"));
  token_realm_ = "http://127.0.0.1:" + port + "/token";
  return WaitForHttp(token_realm_, "", *token_server_);
}

std::string RegistryServer::TokenLog() const {
  auto log = ReadFile(dir_.Sub("token/requests"));
  return log.ok() ? *log : "";
}

int RegistryServer::TokenRequests() const {
  int lines = 0;
  for (char c : TokenLog()) lines += c == '\n' ? 1 : 0;
  return lines;
}

std::string RegistryServer::Config(const RegistryOptions& options) const {
  std::string c = "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n";
  c += "storage:\n  filesystem:\n    rootdirectory: " + data_dir() + "\n";
  c += "  delete:\n    enabled: true\n";
  c += "  maintenance:\n    uploadpurging:\n      enabled: false\n";
  c += "http:\n  addr: " + host() + "\n  secret: " + http_secret_ + "\n";
  if (options.tls) {
    c += "  tls:\n    certificate: " + dir_.Sub("tls/server.crt") +
         "\n    key: " + dir_.Sub("tls/server.key") + "\n";
  }
  if (options.auth == RegistryAuth::kBasic) {
    c += "auth:\n  htpasswd:\n    realm: kiln-test\n    path: " + dir_.Sub("htpasswd") + "\n";
  } else if (options.auth == RegistryAuth::kToken) {
    c += "auth:\n  token:\n    realm: " + token_realm_ + "\n    service: " + kTokenService +
         "\n    issuer: " + kTokenIssuer + "\n    rootcertbundle: " + dir_.Sub("token/token.crt") +
         "\n";
  }
  return c;
}

Status RegistryServer::StartRegistry(const RegistryOptions& options) {
  registry_.reset();
  ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  std::string config = dir_.Sub("config.yml");
  RETURN_IF_ERROR(WriteFileAtomic(config, Config(options), 0600));
  ASSIGN_OR_RETURN(registry_, BackgroundProcess::Start({kRegistryBinary, "serve", config},
                                                       dir_.Sub("registry.log")));
  // Distribution's own header: not some other server that took the port meanwhile.
  return WaitForHttp(url() + "/v2/", ca_file_, *registry_,
                     "Docker-Distribution-Api-Version: registry/2.0");
}

}  // namespace kiln::testing
