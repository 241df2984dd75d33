#include "runtime/cgroups.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln::runtime {
namespace {

constexpr char kUnified[] = "/sys/fs/cgroup/unified";

bool IsFs(const char* path, long magic) {  // NOLINT
  struct statfs st;
  return ::statfs(path, &st) == 0 && static_cast<long>(st.f_type) == magic;  // NOLINT
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Writes a cgroup file in place (cgroupfs files take one write, never a rename).
Status WriteKnob(const std::string& file, const std::string& value) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + file, errno);
  return WriteAll(fd.get(), value).WithContext("write " + value + " to " + file);
}

}  // namespace

CgroupMode DetectCgroupMode() {
  if (IsFs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) return CgroupMode::kV2;
  if (IsFs(kUnified, CGROUP2_SUPER_MAGIC)) return CgroupMode::kHybrid;
  return CgroupMode::kV1;
}

Result<std::string> PrepareCgroups() {
  if (DetectCgroupMode() != CgroupMode::kHybrid) return std::string();
  auto controllers = ReadFile(std::string(kUnified) + "/cgroup.controllers");
  if (!controllers.ok()) return controllers.status();
  std::string list = Trim(*controllers);
  if (list.empty()) return std::string();
  auto subtree = ReadFile(std::string(kUnified) + "/cgroup.subtree_control");
  if (subtree.ok() && !Trim(*subtree).empty()) {
    return FailedPrecondition("cgroup v2 controllers (" + Trim(*subtree) + ") are in use at " +
                              kUnified +
                              "; crun cannot run in this hybrid mode. Move them to "
                              "cgroup v1 or boot with systemd.unified_cgroup_hierarchy=1");
  }
  std::istringstream in(list);
  std::string name, moved;
  while (in >> name) {
    std::string dir = "/sys/fs/cgroup/" + name;
    RETURN_IF_ERROR(MakeDirs(dir, 0555));
    if (::mount("cgroup", dir.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, name.c_str()) !=
            0 &&
        errno != EBUSY) {
      return ErrnoStatus(
          "bind the " + name + " controller to cgroup v1 at " + dir +
              " (crun cannot run while it sits on the cgroup v2 side of a hybrid host)",
          errno);
    }
    moved += (moved.empty() ? "" : ", ") + name;
  }
  return "host had cgroup controller(s) " + moved +
         " on the cgroup v2 side of a hybrid "
         "hierarchy, which crun refuses; kiln bound them to cgroup v1 under /sys/fs/cgroup";
}

int64_t ParentPidsCap() {
  int64_t most = 4194304;  // the kernel's PID_MAX_LIMIT
  for (const char* knob : {"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"}) {
    auto text = ReadFile(knob);
    int64_t n = text.ok() ? std::atoll(text->c_str()) : 0;
    if (n > 0) most = std::min(most, n);
  }
  return std::max<int64_t>(most / 4 * 3, 1024);
}

Result<std::string> CapParentPids() {
  std::string dir;
  if (DetectCgroupMode() == CgroupMode::kV2) {
    // Sandboxes' cgroups are made below /kiln, which then needs the pids controller.
    RETURN_IF_ERROR(WriteKnob("/sys/fs/cgroup/cgroup.subtree_control", "+pids"));
    dir = std::string("/sys/fs/cgroup/") + kParentCgroup;
  } else {
    dir = std::string("/sys/fs/cgroup/pids/") + kParentCgroup;
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir, errno);
  RETURN_IF_ERROR(WriteKnob(dir + "/pids.max", std::to_string(ParentPidsCap())));
  return dir + "/pids.max";
}

}  // namespace kiln::runtime
