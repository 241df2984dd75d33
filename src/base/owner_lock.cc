#include "base/owner_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/fs.h"

namespace kiln {
namespace {

// True when `path` (not followed) is the inode `fd` refers to.
bool StillNamed(int fd, const std::string& path) {
  struct stat by_fd, by_name;
  return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_name) == 0 &&
         by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino;
}

// Space that `path` takes on disk: with everything in it for a directory, not crossing into
// another filesystem.
int64_t DiskUsage(const std::string& path, const struct stat& st) {
  int64_t bytes = static_cast<int64_t>(st.st_blocks) * 512;
  if (!S_ISDIR(st.st_mode)) return bytes;
  auto names = ListDir(path);
  for (const auto& n : names.ok() ? *names : std::vector<std::string>{}) {
    std::string child = JoinPath(path, n);
    struct stat cst;
    if (::lstat(child.c_str(), &cst) == 0 && cst.st_dev == st.st_dev)
      bytes += DiskUsage(child, cst);
  }
  return bytes;
}

}  // namespace

Result<UniqueFd> CreateOwned(const std::function<Result<UniqueFd>(std::string& path)>& create,
                             std::string& path) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto made = create(path);
    // A sweeper may remove the new entry before `create` has opened it: make another.
    if (!made.ok() && made.status().code() == Code::kNotFound) continue;
    ASSIGN_OR_RETURN(UniqueFd fd, std::move(made));
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus("lock " + path, errno);
    }
    if (StillNamed(fd.get(), path)) return fd;
  }
  return Unavailable("could not create and lock a scratch entry: swept away 100 times");
}

Result<SweepCount> SweepUnowned(const std::string& dir) {
  SweepCount count;
  if (!PathExists(dir)) return count;
  ASSIGN_OR_RETURN(auto names, ListDir(dir));
  for (const auto& name : names) {
    std::string path = JoinPath(dir, name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;  // removed meanwhile
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
      if (::unlink(path.c_str()) == 0) ++count.entries;
      continue;
    }
    auto fd = Open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fd.ok()) continue;
    if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live owner holds it
    if (!StillNamed(fd->get(), path)) continue;
    int64_t bytes = DiskUsage(path, st);
    Status removed = S_ISDIR(st.st_mode)           ? RemoveTree(path)
                     : ::unlink(path.c_str()) == 0 ? Status::Ok()
                                                   : ErrnoStatus("remove " + path, errno);
    if (!removed.ok()) {
      if (count.failed.ok()) count.failed = removed.WithContext("sweep " + dir);
      continue;
    }
    ++count.entries;
    count.bytes += bytes;
  }
  return count;
}

}  // namespace kiln
