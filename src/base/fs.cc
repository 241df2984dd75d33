#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "base/fd.h"

namespace kiln {

Result<std::string> ReadFile(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDONLY));
  auto data = ReadAll(fd.get());
  if (!data.ok()) return data.status().WithContext(path);
  return data;
}

Status FsyncDir(const std::string& dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync " + dir, errno);
  return Status::Ok();
}

Status SyncFilesystem(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDONLY));
  if (::syncfs(fd.get()) != 0) return ErrnoStatus("syncfs " + path, errno);
  return Status::Ok();
}

namespace {
Status WriteViaRename(const std::string& path, int mode, bool durable,
                      const std::function<Status(int)>& fill) {
  std::string dir =
      path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  if (dir.empty()) dir = ".";
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Status s;
  {
    ASSIGN_OR_RETURN(UniqueFd fd, Open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
    s = fill(fd.get());
    if (!s.ok()) s = s.WithContext(tmp);
    if (s.ok() && durable && ::fsync(fd.get()) != 0) s = ErrnoStatus("fsync " + tmp, errno);
  }
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoStatus("rename " + tmp, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return durable ? FsyncDir(dir) : Status::Ok();
}
}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  return WriteViaRename(path, mode, /*durable=*/true, [&](int fd) { return WriteAll(fd, data); });
}

Status WriteFileAtomicWith(const std::string& path, int mode,
                           const std::function<Status(int fd)>& fill) {
  return WriteViaRename(path, mode, /*durable=*/true, fill);
}

Status WriteScratchFile(const std::string& path, std::string_view data, int mode) {
  return WriteViaRename(path, mode, /*durable=*/false, [&](int fd) { return WriteAll(fd, data); });
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return Status::Ok();
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir " + part, errno);
    }
  }
  if (!IsDirectory(path)) return FailedPrecondition(path + " exists and is not a directory");
  return Status::Ok();
}

namespace {

// RemoveTree holds at most this many directory fds at once, whatever the depth of the tree: a
// job can nest directories far deeper than the open-files limit (or the stack) allows.
constexpr size_t kMaxOpenDirs = 64;

// One directory being emptied: its fd, its name in the parent frame, and the subdirectories
// still to remove (the other entries are unlinked when the frame is made).
struct Frame {
  UniqueFd fd;
  std::string name;
  std::string where;
  std::vector<std::string> subdirs;
};

// Unlinks the non-directories in `f` and lists its subdirectories in f.subdirs. A subdirectory
// on another filesystem (a mount left inside) is an error.
Status ScanDir(Frame& f, dev_t dev) {
  int dup = ::fcntl(f.fd.get(), F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoStatus("dup " + f.where, errno);
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return ErrnoStatus("opendir " + f.where, errno);
  }
  Status status;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(f.fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) {
        status = FailedPrecondition(f.where + "/" + name + " is a mount point; not removing");
        break;
      }
      f.subdirs.push_back(std::move(name));
    } else if (::unlinkat(f.fd.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
      status = ErrnoStatus("unlink " + f.where + "/" + name, errno);
      break;
    }
  }
  ::closedir(d);
  return status;
}

// Gives the directory `name` in `dirfd` u+rwx, never following a link: through an O_PATH fd of
// it (chmod on its /proc/self/fd link), so a directory swapped for a link meanwhile is refused.
Status MakeOwnerRwx(int dirfd, const std::string& name, const std::string& where) {
  ASSIGN_OR_RETURN(UniqueFd p, OpenAt(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW));
  struct stat st;
  if (::fstat(p.get(), &st) != 0) return ErrnoStatus("stat " + where, errno);
  if ((st.st_mode & S_IRWXU) == S_IRWXU) return Status::Ok();
  std::string link = "/proc/self/fd/" + std::to_string(p.get());
  if (::chmod(link.c_str(), (st.st_mode & 07777) | S_IRWXU) != 0)
    return ErrnoStatus("chmod u+rwx " + where, errno);
  return Status::Ok();
}

// Opens directory `name` in `dirfd` for emptying it (never following a link): one a job made
// read-only (Go's module cache: 0555) or unreadable is made u+rwx first when kiln, without
// CAP_DAC_OVERRIDE, could not otherwise list or unlink in it.
Result<UniqueFd> OpenForRemoval(int dirfd, const std::string& name, const std::string& where) {
  int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(dirfd, name.c_str(), flags);
  if (fd < 0 && errno == EACCES) {
    RETURN_IF_ERROR(MakeOwnerRwx(dirfd, name, where));
    fd = ::openat(dirfd, name.c_str(), flags);
  }
  if (fd < 0) return ErrnoStatus("open " + where, errno);
  UniqueFd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0) return ErrnoStatus("stat " + where, errno);
  if ((st.st_mode & (S_IWUSR | S_IXUSR)) != (S_IWUSR | S_IXUSR) &&
      ::fchmod(f.get(), (st.st_mode & 07777) | S_IRWXU) != 0 && errno != EPERM) {
    return ErrnoStatus("chmod u+rwx " + where, errno);  // EPERM: not ours; unlink says more
  }
  return f;
}

// Opens subdirectory `name` of `parent` (never following a link, never crossing a mount).
Result<Frame> OpenFrame(const Frame& parent, const std::string& name, dev_t dev) {
  Frame f{UniqueFd(), name, parent.where + "/" + name, {}};
  ASSIGN_OR_RETURN(f.fd, OpenForRemoval(parent.fd.get(), name, f.where));
  struct stat st;
  if (::fstat(f.fd.get(), &st) != 0) return ErrnoStatus("stat " + f.where, errno);
  if (st.st_dev != dev) return FailedPrecondition(f.where + " is a mount point; not removing");
  RETURN_IF_ERROR(ScanDir(f, dev));
  return f;
}

// Moves subdirectory `name` of `from` up into `top` under a fresh name, which it returns: the
// subtree is then removed from there, so no more than kMaxOpenDirs fds are ever open.
Result<std::string> MoveUp(const Frame& from, const std::string& name, const Frame& top,
                           uint64_t& counter) {
  for (;;) {
    std::string fresh = ".kiln-rm-" + std::to_string(counter++);
    if (::renameat2(from.fd.get(), name.c_str(), top.fd.get(), fresh.c_str(), RENAME_NOREPLACE) ==
        0) {
      return fresh;
    }
    if (errno != EEXIST) return ErrnoStatus("rename " + from.where + "/" + name, errno);
  }
}

// Empties the directory open as `top` iteratively (bounded fds, bounded stack).
Status RemoveChildren(UniqueFd top, dev_t dev, const std::string& where) {
  std::vector<Frame> stack;
  stack.push_back(Frame{std::move(top), "", where, {}});
  RETURN_IF_ERROR(ScanDir(stack.back(), dev));
  uint64_t moved = 0;
  while (true) {
    Frame& f = stack.back();
    if (f.subdirs.empty()) {
      if (stack.size() == 1) return Status::Ok();
      Frame done = std::move(f);
      stack.pop_back();
      done.fd.reset();
      if (::unlinkat(stack.back().fd.get(), done.name.c_str(), AT_REMOVEDIR) != 0) {
        return ErrnoStatus("rmdir " + done.where, errno);
      }
      continue;
    }
    std::string name = std::move(f.subdirs.back());
    f.subdirs.pop_back();
    if (stack.size() >= kMaxOpenDirs) {
      ASSIGN_OR_RETURN(std::string fresh, MoveUp(f, name, stack.front(), moved));
      stack.front().subdirs.push_back(std::move(fresh));
      continue;
    }
    ASSIGN_OR_RETURN(Frame child, OpenFrame(f, name, dev));
    stack.push_back(std::move(child));
  }
}

}  // namespace

Status RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink " + path, errno);
    return Status::Ok();
  }
  {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenForRemoval(AT_FDCWD, path, path));
    RETURN_IF_ERROR(RemoveChildren(std::move(fd), st.st_dev, path));
  }
  if (::rmdir(path.c_str()) != 0) return ErrnoStatus("rmdir " + path, errno);
  return Status::Ok();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("opendir " + dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> MakeTempDir(const std::string& parent, const std::string& prefix) {
  std::string tmpl = JoinPath(parent, prefix + "XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoStatus("mkdtemp " + tmpl, errno);
  return tmpl;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out += '/';
  out += b;
  return out;
}

std::string SelfExeDir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

}  // namespace kiln
