#include "registry/endpoint.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "base/fs.h"

namespace kiln::registry {
namespace {

bool IsPort(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `host` without its ":port" (a bracketed IPv6 address keeps its brackets); "" when the port
// part is malformed.
std::string StripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return "";
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !IsPort(rest.substr(1)))) return "";
    return std::string(host.substr(0, close + 1));
  }
  size_t colon = host.find(':');
  if (colon == std::string_view::npos) return std::string(host);
  if (!IsPort(host.substr(colon + 1))) return "";
  return std::string(host.substr(0, colon));
}

bool FileExists(const std::string& path) { return PathExists(path) && !IsDirectory(path); }

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string name = Lower(StripPort(host));
  if (name == "localhost" || name == "[::1]") return true;
  in_addr addr{};
  if (::inet_pton(AF_INET, name.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

Endpoint EndpointFor(const std::string& host, const HostOptions& options) {
  std::string served = host;
  if (host == "docker.io" || host == "index.docker.io") served = "registry-1.docker.io";
  Endpoint endpoint;
  endpoint.https_base = "https://" + served;
  if (IsLoopbackHost(host) || options.insecure) endpoint.http_base = "http://" + served;
  endpoint.tls.verify = !options.insecure;

  std::string dir = options.cert_dir;
  // A host is one path component of certs.d ("host:port"), never a way out of it.
  bool plain_name = !host.empty() && host.find('/') == std::string::npos && host != "." &&
                    host != "..";
  if (dir.empty() && !options.certs_d_root.empty() && plain_name) {
    dir = JoinPath(options.certs_d_root, host);
  }
  if (dir.empty()) return endpoint;
  if (std::string ca = JoinPath(dir, "ca.crt"); FileExists(ca)) endpoint.tls.ca_file = ca;
  std::string cert = JoinPath(dir, "client.cert"), key = JoinPath(dir, "client.key");
  if (FileExists(cert) && FileExists(key)) {
    endpoint.tls.client_cert = cert;
    endpoint.tls.client_key = key;
  }
  return endpoint;
}

}  // namespace kiln::registry
