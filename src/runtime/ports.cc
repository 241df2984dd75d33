// Published ports: podman's -p syntax, and free host ports for those that ask for none.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>

#include "base/fd.h"
#include "runtime/network.h"

namespace kiln::runtime {

Result<PortMapping> ParsePortMapping(const std::string& text) {
  auto bad = [&] {
    return InvalidArgument("port \"" + text + "\" is not [HOST_IP:][HOST_PORT:]PORT[/tcp|/udp]");
  };
  PortMapping m;
  std::string rest = text;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    m.protocol = rest.substr(slash + 1);
    rest.resize(slash);
    if (m.protocol != "tcp" && m.protocol != "udp") return bad();
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return bad();
  auto port = [&](const std::string& p, bool zero_ok, uint16_t& out) {
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
      return false;
    int v = std::atoi(p.c_str());
    out = static_cast<uint16_t>(v);
    return v <= 65535 && (zero_ok || v > 0);
  };
  if (!port(parts.back(), false, m.container_port)) return bad();
  if (parts.size() >= 2 && !parts[parts.size() - 2].empty() &&
      !port(parts[parts.size() - 2], true, m.host_port))
    return bad();
  if (parts.size() == 3) {
    in_addr a{};
    if (!parts[0].empty() && ::inet_pton(AF_INET, parts[0].c_str(), &a) != 1) return bad();
    m.host_ip = parts[0];
  }
  return m;
}

Result<uint16_t> FreeHostPort(const std::string& protocol) {
  int type = protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return ErrnoStatus("socket", errno);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  socklen_t len = sizeof(a);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return ErrnoStatus("find a free " + protocol + " port", errno);
  return ntohs(a.sin_port);
}

bool HostPortBusy(const PortMapping& p) {
  bool udp = p.protocol == "udp";
  UniqueFd s(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return false;
  // SO_REUSEADDR for tcp: a connection in TIME_WAIT holds no port that a listener would want.
  int one = 1;
  if (!udp) (void)::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(p.host_port);
  if (!p.host_ip.empty() && ::inet_pton(AF_INET, p.host_ip.c_str(), &a.sin_addr) != 1) return false;
  return ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 && errno == EADDRINUSE;
}

bool PortsClash(const PortMapping& a, const PortMapping& b) {
  auto any = [](const std::string& ip) { return ip.empty() || ip == "0.0.0.0"; };
  return a.protocol == b.protocol && a.host_port == b.host_port &&
         (a.host_ip == b.host_ip || any(a.host_ip) || any(b.host_ip));
}

std::string HostPortText(const PortMapping& p) {
  return (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + std::to_string(p.host_port) + "/" +
         p.protocol;
}

}  // namespace kiln::runtime
