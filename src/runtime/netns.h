// Network namespaces of sandboxes on a kiln network (internal to runtime/): made before crun
// starts, kept alive by a bind mount of the namespace onto a file in the sandbox dir (as
// `ip netns add` does under /run/netns), and handed to crun by that path.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kiln::runtime {

// A new network namespace pinned at `path` (made as an empty file), with its loopback up and
// IPv6 disabled on every other link (net.ipv6.conf.{all,default}.disable_ipv6: the fence is
// IPv4's; loopback keeps ::1).
// The namespace is made in a short-lived thread of its own; the caller's is never changed.
Status MakeNetns(const std::string& path);

// Unmounts and removes the pin at `path`; the namespace goes once nothing else holds it.
// Ok when there is none.
Status ReleaseNetns(const std::string& path);

// True when a TCP connect to address:port (IPv4 or IPv6), made from inside the namespace pinned
// at `path` (by a short-lived thread of its own), succeeds within `seconds`.
bool TcpConnectsIn(const std::string& path, const std::string& address, uint16_t port,
                   double seconds);

// `ip args…` run in the namespace pinned at `path` (nsenter --net).
Status IpIn(const std::string& path, const std::vector<std::string>& args);

// The IPv4 addresses of the host's own interfaces (every one but loopback's), as "a.b.c.d".
Result<std::vector<std::string>> HostAddresses();

// The fence in the namespace at `path`: `prohibit` routes (a connection fails at once with
// EACCES) for 169.254.0.0/16, for kiln's whole range kKilnRange (other kiln networks) but
// `own_subnet` (the sandbox's own network, a `throw` route: its members stay reachable) and
// for each of `addresses`, in a table of their own (kFenceTable) that a rule consults before
// the main table. A default route whose gateway is among `addresses` still works: the gateway
// is reached by its link, not by a route. Packets from each of `published` (the sandbox's
// published ports, "tcp"/"udp" and port) to each of `addresses` skip the fence by a rule of
// their own, so the replies to a connection from the host to a published port are routed (the
// host is the peer there, by an address of its own or the gateway's after portmap's SNAT);
// to anything else fenced, that source port is fenced too. DNS (port 53, udp and tcp)
// to each of `dns` (the sandbox's nameservers that are host addresses, e.g. a resolver on the
// host's LAN address) passes too.
inline constexpr int kFenceTable = 89;
inline constexpr const char* kKilnRange = "10.89.0.0/16";
Status BlockAddresses(const std::string& path, const std::vector<std::string>& addresses,
                      const std::string& own_subnet,
                      const std::vector<std::pair<std::string, uint16_t>>& published = {},
                      const std::vector<std::string>& dns = {});

}  // namespace kiln::runtime
