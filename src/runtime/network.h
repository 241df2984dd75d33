// kiln networks (SandboxSpec::network names one): a bridge with a /24 of its own from
// 10.89.0.0/16, made on first use and removed when its last sandbox leaves. Internal to
// runtime/; the crun runtime joins a sandbox's pinned network namespace (netns.h) before crun
// starts it and leaves when the sandbox is destroyed or swept.
//
// State, in <state>/networks/<name>/:
//   network.json          the NetworkConfig (subnet, gateway, bridge)
//   ipam/                 host-local's dataDir: its lease files (one per address in use)
//   members/<sandbox>.json a member: hostname, aliases, address, ports, hosts file, CNI result
// Every join and leave holds one host-wide flock (/run/lock/kiln-networks.lock), so concurrent
// joins and leaves of several kiln processes (and state dirs: subnets and bridge names are
// host-wide) never pick one subnet twice nor remove a network a sandbox is joining.
// On each join and leave every member's /etc/hosts is rewritten in place (same inode: it is
// bind-mounted) to list every member's address with its hostname and aliases.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "runtime/cni.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

inline constexpr const char* kNetworkLock = "/run/lock/kiln-networks.lock";

struct NetMember {
  std::string sandbox_id;
  std::string hostname;
  std::vector<std::string> aliases;
  std::string hosts_file;  // host path of the sandbox's /etc/hosts
  std::string netns;       // the pinned namespace
  std::vector<PortMapping> ports;
  std::string address;  // set by JoinNetwork
  Json cni_result;      // set by JoinNetwork (CniDel's prevResult)
};
Json MemberToJson(const NetMember& m);
Result<NetMember> MemberFromJson(const Json& j);

// Joins `m` to network `name` of `state_dir`, making the network first when it has no members.
// Host ports of 0 are replaced by free ones; FailedPrecondition (naming HOST_IP:PORT/proto and
// its holder) for a host port that a member of a kiln network of `state_dir` publishes or a
// socket on the host holds (portmap's DNAT would shadow one or be shadowed). Returns the member
// with address and ports set.
Result<NetMember> JoinNetwork(const std::string& state_dir, const std::string& name, NetMember m);
// CNI DEL for the member, its record removed, the others' hosts files rewritten; the network is
// removed (bridge, dir, leases) when it was the last. Ok when it is no member. When DEL fails
// the record is kept (without its address) and the error returned: SweepNetworks retries it
// once the sandbox dir is gone.
Status LeaveNetwork(const std::string& state_dir, const std::string& name,
                    const std::string& sandbox_id);
// For SweepOrphans: members whose sandbox dir (<state>/sandboxes/<id>) is gone leave, and
// networks without members are removed. Returns how many members were released.
Result<int> SweepNetworks(const std::string& state_dir);

// Helpers (network_config.cc), for tests too.
// A /24 of 10.89.0.0/16 not in `taken` (subnets of kiln networks) and not overlapping any of
// `routes` (host route destinations, "a.b.c.d/len" or "default"); Unavailable if none.
Result<NetworkConfig> PickSubnet(const std::vector<std::string>& taken,
                                 const std::vector<std::string>& routes);
// The hosts file of `self` on a network with `members` (self included or not): localhost, then
// self's address with its names, then every other member's, then kHostsEnd and the lines after
// it in `current` (what the sandbox itself added, kept across rewrites; all of `current` when
// it has no kHostsEnd line, i.e. the sandbox rewrote the file).
inline constexpr const char* kHostsEnd = "# kiln: network members above; lines below are kept\n";
std::string MembersHosts(const NetMember& self, const std::vector<NetMember>& members,
                         const std::string& current = "");
// What kiln keeps of a member's hosts file at `path` (sandbox-writable) when it rewrites it:
// the file, read up to kHostsReadMax bytes; "" (only kiln's part is written back, the
// sandbox's lines are dropped) when it is longer or unreadable, so a sandbox filling it with
// gigabytes cannot make kiln load them.
inline constexpr size_t kHostsReadMax = 64 * 1024;
std::string ReadHostsKept(const std::string& path);
// A port free now on the host for `protocol` (tcp or udp).
Result<uint16_t> FreeHostPort(const std::string& protocol);
// Whether a socket on the host holds `p`'s host port (bind() on its host_ip, or every address,
// fails with EADDRINUSE).
bool HostPortBusy(const PortMapping& p);
// Whether `a` and `b` ask for one host port: same protocol and port, and the same host_ip or
// either on every address ("" or 0.0.0.0).
bool PortsClash(const PortMapping& a, const PortMapping& b);
// "HOST_IP:PORT/proto" of `p`'s host side ("0.0.0.0" for every address).
std::string HostPortText(const PortMapping& p);
// resolv.conf for a sandbox on a kiln network from the host's `host_resolv`: nameservers on
// 127.0.0.0/8 (a local stub the sandbox cannot reach) dropped; "" when none is left.
std::string SandboxResolvConf(const std::string& host_resolv);

}  // namespace kiln::runtime
