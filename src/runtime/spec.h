// The OCI runtime config (config.json) of a kiln sandbox, hardened by default:
// Docker's 14 default capabilities at most (inheritable and ambient empty), no_new_privileges,
// a fresh tmpfs /dev, masked and read-only /proc paths, a seccomp allowlist (seccomp.h), new
// pid/ipc/uts/ mount/cgroup (and, unless asked, network) namespaces, and cgroup limits from the
// size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "runtime/sandbox.h"
#include "runtime/size.h"

namespace kiln::runtime {

// Where kiln-init appears inside every sandbox: on the sandbox's own /dev tmpfs, so the mount
// target never lands in the overlay upper dir (and so never in a snapshot).
inline constexpr const char* kInitPath = "/dev/.kiln-init";

struct User {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
};

struct SpecInput {
  std::string rootfs;  // host path of the mounted overlay
  std::string init_host_path;
  std::vector<BindMount> mounts;
  std::vector<std::string> env;
  std::string cwd = "/";
  User user;
  std::string hostname = "kiln";
  bool network = false;    // the host's network
  std::string netns_path;  // else, when set: this network namespace (a kiln network's)
  std::optional<Size> size;
  std::string cgroups_path;      // "/kiln/<id>"
  uint64_t nofile_limit = 1024;  // already clamped to the caller's hard limit
  int host_cpus = 1;
  int agent_fd = -1;  // the fd kiln-init serves exec requests on (see agent.h); -1: none
};

Json RuntimeSpec(const SpecInput& in);
// The process object for `crun exec --process FILE`.
Json ProcessSpec(const std::vector<std::string>& args, const std::vector<std::string>& env,
                 const std::string& cwd, const User& user, uint64_t nofile_limit);

// RLIMIT_NOFILE to ask for: min(1048576, the caller's hard limit), since asking for more than
// the hard limit makes the runtime fail ("setrlimit RLIMIT_NOFILE: Operation not permitted").
uint64_t ClampedNofile();

// Resolves an image config's User ("", "uid", "uid:gid", "name", "name:group") against the
// rootfs's /etc/passwd and /etc/group (read inside the root).
Result<User> ResolveUser(const std::string& rootfs, const std::string& spec);

}  // namespace kiln::runtime
