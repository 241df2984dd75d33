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

}  // namespace kiln::runtime
