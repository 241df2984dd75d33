// A crun sandbox on a kiln network (internal to runtime/): its network namespace pinned at
// <dir>/netns (netns.h), joined to the network (network.h) and fenced (the host's addresses and
// 169.254.0.0/16 unreachable) before crun starts, and <dir>/net.json recording the network and
// then the address and published ports. The sandbox gets no CAP_NET_ADMIN, so it cannot undo
// the fence.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

// Whether `network` names a kiln network (not "" nor "host").
bool IsKiln(const std::string& network);

struct SandboxNet {
  std::string network;
  std::string netns;               // the pinned namespace, for the OCI spec
  std::string address;             // on the network
  std::vector<PortMapping> ports;  // host ports as chosen
};

// Makes the namespace of sandbox `id` (dir `dir`, state dir `state`) and joins it to
// spec.network; `hosts_file` is the sandbox's /etc/hosts on the host. On failure whatever was
// made is released again (also by ReleaseSandboxNet, which the caller's clean-up runs).
Result<SandboxNet> AttachSandboxNet(const std::string& state, const std::string& id,
                                    const std::string& dir, const SandboxSpec& spec,
                                    const std::string& hosts_file);
// What AttachSandboxNet recorded in `dir`; NotFound for a sandbox on no kiln network.
Result<SandboxNet> ReadSandboxNet(const std::string& dir);
// Leaves the network (CNI DEL) and releases the namespace pin. Idempotent; Ok for a sandbox on no
// kiln network.
Status ReleaseSandboxNet(const std::string& state, const std::string& id, const std::string& dir);

}  // namespace kiln::runtime
