#include "snapshot/entry_create.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "base/fs.h"
#include "snapshot/safe_path.h"

namespace kiln::snapshot {
namespace {

bool IsRoot() { return ::geteuid() == 0; }

// Owner, then mode (chown clears setuid bits), xattrs and times, all without following links.
Status SetMetadata(int dir, const std::string& name, int fd, archive_entry* e, bool is_link) {
  if (IsRoot() && ::fchownat(dir, name.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                             static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("chown", errno);
  }
  if (is_link) {
    timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    ::utimensat(dir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    return Status::Ok();
  }
  if (::fchmod(fd, archive_entry_perm(e) & 07777) != 0) return ErrnoStatus("chmod", errno);
  archive_entry_xattr_reset(e);
  const char* xname;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
    std::string n = xname;
    if (n.rfind("trusted.overlay.", 0) == 0) continue;  // never let a layer forge overlay state
    if (size > 65536) return InvalidArgument("xattr " + n + " larger than 64 KiB");
    if (::fsetxattr(fd, xname, value, size, 0) != 0 && IsRoot()) {
      return ErrnoStatus("set xattr " + n, errno);
    }
  }
  timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                    {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
  ::futimens(fd, ts);
  return Status::Ok();
}

Status PwriteAll(int fd, const char* data, size_t n, int64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoStatus("write", errno);
    data += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return Status::Ok();
}

// Writes the entry's data blocks where they belong, so a sparse entry's holes stay holes, then
// sets the file's size. Each byte written is taken from `budget`; past it, the file is left
// short and `budget` negative.
Status WriteData(int fd, archive_entry* e, TarReader& tar, int64_t& budget) {
  int64_t size = archive_entry_size(e);
  const char* data;
  size_t n;
  int64_t offset;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, tar.ReadBlock(&data, &n, &offset));
    if (!more) break;
    if (n == 0) continue;
    if (offset < 0 || offset > size || static_cast<int64_t>(n) > size - offset) {
      return InvalidArgument("data beyond the entry's size");
    }
    budget -= static_cast<int64_t>(n);
    if (budget < 0) return InvalidArgument("layer too large");
    RETURN_IF_ERROR(PwriteAll(fd, data, n, offset));
  }
  if (size > 0 && ::ftruncate(fd, size) != 0) return ErrnoStatus("set size", errno);
  return Status::Ok();
}

}  // namespace

Status RemoveExisting(int dir, const std::string& name, const std::string& where) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("stat " + name, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dir, name.c_str(), 0) != 0) return ErrnoStatus("unlink " + name, errno);
    return Status::Ok();
  }
  // A directory: remove it through /proc/self/fd so the path is exactly this one.
  std::string path = "/proc/self/fd/" + std::to_string(dir) + "/" + name;
  ASSIGN_OR_RETURN(UniqueFd sub, OpenAt(dir, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW));
  char real[4096];
  ssize_t n =
      ::readlink(("/proc/self/fd/" + std::to_string(sub.get())).c_str(), real, sizeof real - 1);
  if (n <= 0) return ErrnoStatus("resolve " + name, errno);
  return RemoveTree(std::string(real, static_cast<size_t>(n))).WithContext(where);
}

Status CreateEntry(int dir, const std::string& name, archive_entry* e, TarReader& tar,
                   int64_t& budget) {
  mode_t type = archive_entry_filetype(e);
  if (type == AE_IFDIR) {
    struct stat st;
    bool is_dir =
        ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    if (!is_dir) {
      RETURN_IF_ERROR(RemoveExisting(dir, name, name));
      if (::mkdirat(dir, name.c_str(), 0700) != 0) return ErrnoStatus("mkdir", errno);
    }
    ASSIGN_OR_RETURN(UniqueFd fd, OpenAt(dir, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW));
    return SetMetadata(dir, name, fd.get(), e, false);
  }
  RETURN_IF_ERROR(RemoveExisting(dir, name, name));
  if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(e);
    if (target == nullptr || std::string_view(target).size() > 4096) {
      return InvalidArgument("symlink target missing or longer than 4096 bytes");
    }
    if (::symlinkat(target, dir, name.c_str()) != 0) return ErrnoStatus("symlink", errno);
    return SetMetadata(dir, name, -1, e, true);
  }
  if (type == AE_IFIFO) {
    if (::mkfifoat(dir, name.c_str(), 0600) != 0) return ErrnoStatus("mkfifo", errno);
    ASSIGN_OR_RETURN(UniqueFd fd, OpenAt(dir, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW));
    return SetMetadata(dir, name, fd.get(), e, false);
  }
  if (type == AE_IFCHR || type == AE_IFBLK) {
    // Never opened (that would open the device): metadata by name, in the directory just made.
    if (::mknodat(dir, name.c_str(), type | 0600, archive_entry_rdev(e)) != 0)
      return ErrnoStatus("mknod", errno);
    RETURN_IF_ERROR(SetMetadata(dir, name, -1, e, true));
    if (::fchmodat(dir, name.c_str(), archive_entry_perm(e) & 0777, 0) != 0)
      return ErrnoStatus("chmod", errno);
    return Status::Ok();
  }
  if (type != AE_IFREG) return InvalidArgument("unsupported entry type");
  ASSIGN_OR_RETURN(UniqueFd fd, OpenAt(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  RETURN_IF_ERROR(WriteData(fd.get(), e, tar, budget));
  return SetMetadata(dir, name, fd.get(), e, false);
}

Status CreateHardlink(int root_fd, int dir, const std::string& name, const std::string& target) {
  auto [tparent, tbase] = SplitParent(target);
  ASSIGN_OR_RETURN(UniqueFd tdir, OpenDirInRoot(root_fd, tparent, false));
  struct stat st;
  if (::fstatat(tdir.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("hardlink target " + target, errno);
  }
  if (S_ISDIR(st.st_mode)) return InvalidArgument("hardlink to directory " + target);
  RETURN_IF_ERROR(RemoveExisting(dir, name, name));
  if (::linkat(tdir.get(), tbase.c_str(), dir, name.c_str(), 0) != 0) {
    return ErrnoStatus("hardlink to " + target, errno);
  }
  return Status::Ok();
}

}  // namespace kiln::snapshot
