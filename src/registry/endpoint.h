// Where and how a registry host is reached: the URL bases to try and the TLS policy, from the
// host name and HostOptions (client.h). Pure: no I/O beyond looking for certificate files.
//
// - HTTPS always comes first, with the system's CAs, plus `ca.crt` (and `client.cert` /
//   `client.key`) from HostOptions::cert_dir, else from `<certs_d_root>/<host>/` as podman
//   reads it (`<host>` written as in the reference: "127.0.0.1:5000", "[::1]:5000").
// - A plain-HTTP base is offered too, to be used only when the host does not speak TLS, for
//   loopback hosts (localhost, 127.0.0.0/8, [::1]: docker's rule) and insecure hosts.
// - An insecure host skips certificate verification.
// - "docker.io" (and "index.docker.io") is served at registry-1.docker.io.
#pragma once

#include <string>

#include "registry/client.h"
#include "registry/transport.h"

namespace kiln::registry {

struct Endpoint {
  std::string https_base;  // "https://127.0.0.1:5000"
  std::string http_base;   // "http://127.0.0.1:5000", or "" when plain HTTP is not allowed
  TlsPolicy tls;
};

// True for "localhost[:port]", an IPv4 address in 127.0.0.0/8 and "[::1]" (with any port).
bool IsLoopbackHost(const std::string& host);

Endpoint EndpointFor(const std::string& host, const HostOptions& options);

}  // namespace kiln::registry
