#include "snapshot/overlay.h"

#include <cerrno>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/fs.h"

namespace kiln::snapshot {

Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target) {
  std::vector<std::string> dirs(lowers.rbegin(), lowers.rend());  // overlay wants top first
  if (dirs.empty()) {
    std::string empty = work + ".empty-lower";
    RETURN_IF_ERROR(MakeDirs(empty, 0755));
    dirs.push_back(empty);
  }
  std::string lowerdir;
  for (const auto& d : dirs) lowerdir += (lowerdir.empty() ? "" : ":") + d;
  std::string data = "lowerdir=" + lowerdir + ",upperdir=" + upper + ",workdir=" + work +
                     ",index=off,xino=off";
  if (data.size() >= 4000) {
    return InvalidArgument("overlay mount options too long for " + std::to_string(dirs.size()) +
                           " layers (" + std::to_string(data.size()) + " bytes)");
  }
  if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) {
    return ErrnoStatus("mount overlay on " + target, errno);
  }
  return Status::Ok();
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
