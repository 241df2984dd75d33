// The warm pool's bookkeeping in a sandbox dir, and mounting into a running sandbox (internal to
// runtime/; the Runtime interface in sandbox.h states the contract).
//   owner   "pool <filler's owner token>" from the moment a filler starts a pooled sandbox
//   pool    the ticket, "<key> <init's ProcessToken>": written once the sandbox runs;
//           present while it waits in the pool
//   claim   the owner token of the kiln process that took it, made with link(2) so that
//           exactly one taker wins; the taker then removes the ticket and becomes the owner
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

inline constexpr const char* kPoolOwnerPrefix = "pool ";

struct PoolTicket {
  std::string key;
  int init_pid = 0;
  std::string init_token;  // ProcessToken of the init: OwnerAlive(init_token) while it runs
};

// Writes the ticket of the running sandbox in `dir`, whose init is `init_pid`.
Status WritePoolTicket(const std::string& dir, const std::string& key, int init_pid);
// NotFound when `dir` holds no ticket (not pooled, or taken).
Result<PoolTicket> ReadPoolTicket(const std::string& dir);
// Takes the pooled sandbox in `dir` for this process; false when another took it first.
bool ClaimPooled(const std::string& dir);
// For SweepOrphans: whether a sandbox whose owner file says `owner` ("pool …") is still wanted.
bool PooledWanted(const std::string& dir, const std::string& owner);
// Bind-mounts each mount's source (a host path) at its destination inside the running
// sandbox whose init is `init_pid` (open_tree on the host, then setns into the sandbox's mount
// namespace and move_mount; missing destination dirs are made inside, where symlinks resolve
// within the sandbox). nosuid and nodev, read-only when asked, as crun mounts them.
Status MountInto(int init_pid, const std::vector<BindMount>& mounts);

}  // namespace kiln::runtime
