#include "runtime/snapshot_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/fs.h"

namespace kiln::runtime {

std::optional<struct stat> ImageEntry(const std::vector<std::string>& lower_dirs,
                                      const std::string& rel) {
  for (auto it = lower_dirs.rbegin(); it != lower_dirs.rend(); ++it) {
    struct stat st {};
    if (::lstat((*it + "/" + rel).c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return std::nullopt;
    return st;
  }
  return std::nullopt;
}

Status CopyDirAttributes(const std::string& path, const struct stat& st) {
  if (::chmod(path.c_str(), st.st_mode & 07777) != 0 ||
      ::lchown(path.c_str(), st.st_uid, st.st_gid) != 0) {
    return ErrnoStatus("copy the image's owner and mode to " + path, errno);
  }
  timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return ErrnoStatus("copy the image's times to " + path, errno);
  return Status::Ok();
}

Result<std::optional<BindMount>> PlaceSnapshotCommand(const std::string& layer,
                                                      const std::vector<std::string>& lower_dirs,
                                                      const std::string& init_host_path) {
  std::vector<std::pair<std::string, std::optional<struct stat>>> dirs;
  std::string rel;
  for (const char* part : {"usr", "local", "bin"}) {
    rel += (rel.empty() ? "" : "/") + std::string(part);
    auto entry = ImageEntry(lower_dirs, rel);
    if (entry && !S_ISDIR(entry->st_mode)) return std::optional<BindMount>();
    dirs.emplace_back(layer + "/" + rel, entry);
  }
  RETURN_IF_ERROR(MakeDirs(dirs.back().first, 0755));
  RETURN_IF_ERROR(WriteScratchFile(layer + kSnapshotCommandPath, "", 0755));
  // Deepest first: making an entry in a directory changes its times.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    if (it->second) {
      RETURN_IF_ERROR(CopyDirAttributes(it->first, *it->second));
    } else if (::chmod(it->first.c_str(), 0755) != 0) {  // whatever kiln's umask
      return ErrnoStatus("chmod " + it->first, errno);
    }
  }
  return std::optional<BindMount>(BindMount{init_host_path, kSnapshotCommandPath, true});
}

}  // namespace kiln::runtime
