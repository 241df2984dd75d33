// Attaching network namespaces to a kiln network with the CNI plugins Debian ships
// (containernetworking-plugins, /usr/lib/cni), called as the CNI spec says and as libcni does
// for a conflist: ADD through the plugins in order, each given the previous one's result
// (prevResult); DEL in reverse order with the ADD's result. Internal to runtime/.
//
// A kiln network's conflist: `bridge` (the network's bridge as gateway, NAT for egress),
// `host-local` IPAM (its leases in the network's dir, so kiln can check and release them),
// `portmap` (published ports) and `firewall` (lets the bridge's traffic through a FORWARD
// policy of DROP, as docker leaves it). kiln writes no iptables rules of its own.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

inline constexpr const char* kCniPath = "/usr/lib/cni";
inline constexpr const char* kCniVersion = "1.0.0";
inline constexpr const char* kCniIfName = "eth0";

struct NetworkConfig {
  std::string name;      // the kiln network's name (the CNI network name)
  std::string subnet;    // "10.89.N.0/24"
  std::string gateway;   // "10.89.N.1": the bridge's address
  std::string bridge;    // the bridge's name, at most 15 bytes
  std::string ipam_dir;  // host-local's dataDir
};

// The conflist (bridge, host-local, portmap, firewall) of `net`.
Json Conflist(const NetworkConfig& net);

struct CniCall {
  std::string container_id;        // CNI_CONTAINERID: the sandbox id
  std::string netns;               // CNI_NETNS: the pinned namespace
  std::vector<PortMapping> ports;  // portmap's runtimeConfig (host ports already chosen)
  std::string plugin_dir = kCniPath;
};

// ADD through every plugin of `conflist`; the last result (the CNI result: interfaces, ips).
// On failure the plugins already added are deleted again.
Result<Json> CniAdd(const Json& conflist, const CniCall& call);
// DEL through every plugin in reverse order; `prev` is CniAdd's result (null when unknown).
// Every plugin is called even when one fails; the first failure is returned.
Status CniDel(const Json& conflist, const CniCall& call, const Json& prev);

// The first IPv4 address of a CNI result, without its prefix length; "" when none.
std::string ResultAddress(const Json& result);

}  // namespace kiln::runtime
