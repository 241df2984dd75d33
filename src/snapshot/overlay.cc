#include "snapshot/overlay.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln::snapshot {
namespace {

constexpr size_t kMaxMountData = 4000;  // mount(2) copies at most a page of options

// What the kernel said about a failed fsconfig/fsmount ("overlayfs: failed to resolve '…'"),
// read from the filesystem context's message queue.
std::string KernelLog(int fs) {
  std::string out;
  char buf[1024];
  for (ssize_t n; (n = ::read(fs, buf, sizeof buf - 1)) > 0;) {
    std::string msg(buf, static_cast<size_t>(n));
    if (msg.size() > 2 && msg[1] == ' ') msg.erase(0, 2);  // "e ", "w ", "i "
    out += (out.empty() ? "" : "; ") + msg;
  }
  return out;
}

Status FsError(const std::string& what, int err, int fs) {
  std::string log = KernelLog(fs);
  return ErrnoStatus(what + (log.empty() ? "" : " (" + log + ")"), err);
}

// overlayfs takes "lowerdir+" from Linux 6.8. Before 6.5 it parsed fsconfig strings as one
// legacy options string (which has the page limit again), so the release decides, not a probe.
bool KernelHasLowerdirPlus() {
  static const bool has = [] {
    utsname u{};
    int major = 0, minor = 0;
    if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
    return major > 6 || (major == 6 && minor >= 8);
  }();
  return has;
}

// The new mount API. Sets *unsupported (and returns an error) when the kernel lacks it, so the
// caller can fall back to mount(2).
Status MountWithFsconfig(const std::vector<std::string>& top_first, const std::string& upper,
                         const std::string& work, const std::string& target, bool* unsupported) {
  int raw = ::fsopen("overlay", FSOPEN_CLOEXEC);
  if (raw < 0) {
    *unsupported = errno == ENOSYS;
    return ErrnoStatus("fsopen overlay", errno);
  }
  UniqueFd fs(raw);
  auto set = [&](const char* key, const std::string& value) {
    return ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, value.c_str(), 0) == 0;
  };
  if (!set("source", "overlay")) return FsError("overlay source", errno, fs.get());
  for (const auto& dir : top_first) {
    if (!set("lowerdir+", dir)) return FsError("overlay lower dir " + dir, errno, fs.get());
  }
  if (!set("upperdir", upper)) return FsError("overlay upper dir " + upper, errno, fs.get());
  if (!set("workdir", work)) return FsError("overlay work dir " + work, errno, fs.get());
  if (!set("index", "off") || !set("xino", "off"))
    return FsError("overlay options", errno, fs.get());
  // A sandbox's upper dir is scratch: not synced on unmount (which would write out the whole
  // diff on the job's critical path). What becomes a layer is synced then (images/publish.h).
  if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "volatile", nullptr, 0) != 0)
    return FsError("overlay option volatile", errno, fs.get());
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return FsError("create overlay for " + target, errno, fs.get());
  }
  int mnt = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0);
  if (mnt < 0) return FsError("fsmount overlay for " + target, errno, fs.get());
  UniqueFd mount_fd(mnt);
  if (::move_mount(mount_fd.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return ErrnoStatus("mount overlay on " + target, errno);
  }
  return Status::Ok();
}

// The longest directory that holds every path ("/a/b/c", "/a/b/d" -> "/a/b").
std::string CommonParent(const std::vector<std::string>& paths) {
  std::string common = paths.front().substr(0, paths.front().rfind('/'));
  for (const auto& p : paths) {
    while (!common.empty() && p.compare(0, common.size() + 1, common + "/") != 0) {
      common.erase(common.rfind('/'));
    }
  }
  return common;
}

// mount(2). Options too long for a page are retried with the lowers relative to their common
// parent, mounted from a helper thread that has its own cwd (unshare(CLONE_FS)): chdir on the
// calling thread would move every thread of the process.
Status MountWithOptions(const std::vector<std::string>& top_first, const std::string& upper,
                        const std::string& work, const std::string& target) {
  auto options = [&](const std::string& strip) {
    std::string lowerdir;
    for (const auto& d : top_first)
      lowerdir += (lowerdir.empty() ? "" : ":") + d.substr(strip.size());
    return "lowerdir=" + lowerdir + ",upperdir=" + upper + ",workdir=" + work +
           ",index=off,xino=off";
  };
  std::string data = options("");
  if (data.size() < kMaxMountData) {
    if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) {
      return ErrnoStatus("mount overlay on " + target, errno);
    }
    return Status::Ok();
  }
  std::string parent = CommonParent(top_first);
  data = options(parent.empty() ? "" : parent + "/");
  if (parent.empty() || data.size() >= kMaxMountData) {
    return InvalidArgument("overlay mount options too long for " +
                           std::to_string(top_first.size()) + " layers (" +
                           std::to_string(data.size()) +
                           " bytes) on this kernel; Linux 6.8 "
                           "and later take up to " +
                           std::to_string(kMaxOverlayLowers) + " (fsconfig lowerdir+)");
  }
  int err = 0;
  const char* step = "mount overlay on ";
  std::thread helper([&] {
    if (::unshare(CLONE_FS) != 0) {
      err = errno, step = "unshare the cwd to mount overlay on ";
    } else if (::chdir(parent.c_str()) != 0) {
      err = errno, step = "chdir to the layers to mount overlay on ";
    } else if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) {
      err = errno;
    }
  });
  helper.join();
  if (err != 0) return ErrnoStatus(step + target, err);
  return Status::Ok();
}

}  // namespace

Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target, OverlayApi api) {
  if (lowers.size() > kMaxOverlayLowers) {
    return InvalidArgument("an image of " + std::to_string(lowers.size()) +
                           " layers is more than overlayfs stacks (" +
                           std::to_string(kMaxOverlayLowers) + ")");
  }
  std::vector<std::string> dirs(lowers.rbegin(), lowers.rend());  // overlay wants top first
  if (dirs.empty()) {
    std::string empty = work + ".empty-lower";
    RETURN_IF_ERROR(MakeDirs(empty, 0755));
    dirs.push_back(empty);
  }
  if (api == OverlayApi::kAuto && KernelHasLowerdirPlus()) {
    bool unsupported = false;
    Status s = MountWithFsconfig(dirs, upper, work, target, &unsupported);
    if (s.ok() || !unsupported) return s;
  }
  return MountWithOptions(dirs, upper, work, target);
}

Status Unmount(const std::string& target) {
  if (::umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return ErrnoStatus("unmount " + target, errno);
  }
  return Status::Ok();
}

bool IsMountPoint(const std::string& path) {
  struct stat a, b;
  if (::lstat(path.c_str(), &a) != 0 || ::lstat((path + "/..").c_str(), &b) != 0) return false;
  return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

}  // namespace kiln::snapshot
