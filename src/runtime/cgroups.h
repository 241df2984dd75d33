// Host cgroup setup, done once per process before the first sandbox.
//
// Hybrid hosts (cgroup v1 controllers plus a cgroup2 hierarchy at /sys/fs/cgroup/unified) that
// left a controller on the v2 side (hugetlb has been seen) make crun 1.8 refuse to run: "cgroups
// in hybrid mode not supported, drop all controllers from cgroupv2". The sound fix, taken
// automatically and reported: bind each such controller to its own v1 hierarchy
// (/sys/fs/cgroup/<name>), which is where every other controller already lives; that empties
// the v2 side without touching any cgroup in use (a controller is only moved while no v2
// cgroup has it enabled). Pure v1 and pure v2 hosts need nothing.
#pragma once

#include <string>

#include "base/status.h"

namespace kiln::runtime {

enum class CgroupMode { kV1, kV2, kHybrid };

CgroupMode DetectCgroupMode();
// Prepares the host as described above. Returns a description of what it changed ("" when
// nothing), or FailedPrecondition saying what a person must do.
Result<std::string> PrepareCgroups();

// The cgroup (below each hierarchy's root) under which every sandbox's cgroup is made:
// cgroupsPath "/kiln/<id>".
inline constexpr const char* kParentCgroup = "kiln";
// The pids cap of that parent cgroup: three quarters of what the host can have
// (min(kernel.pid_max, kernel.threads-max)), so that however many sandboxes run, each with its
// own cap, the host keeps a quarter for itself.
int64_t ParentPidsCap();
// Makes the parent cgroup in the pids hierarchy (cgroup v1: /sys/fs/cgroup/pids/kiln; v2:
// /sys/fs/cgroup/kiln, with the pids controller enabled for it) and writes ParentPidsCap() to
// its pids.max. Returns the pids.max file written.
Result<std::string> CapParentPids();

}  // namespace kiln::runtime
