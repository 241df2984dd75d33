#include "workflow/setid_strip.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.h"

namespace kiln::workflow {
namespace {

// The mount id of an open fd, or 0 when the kernel does not tell (then every mount is walked
// as one: st_dev still stops the walk at another filesystem).
bool SameMount(int fd, const struct statx& root) {
  struct statx sx;
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0) return false;
  if ((sx.stx_mask & STATX_MNT_ID) && (root.stx_mask & STATX_MNT_ID))
    return sx.stx_mnt_id == root.stx_mnt_id;
  return sx.stx_dev_major == root.stx_dev_major && sx.stx_dev_minor == root.stx_dev_minor;
}

// Makes `name` in `dirfd` harmless on the host, through an O_PATH fd (so a file swapped for a
// link meanwhile is not touched): a regular file loses its set-id bits and its file
// capabilities (security.capability: `setcap cap_setuid+ep` grants root as setuid does); a
// character or block device node is removed (the job may make one with CAP_MKNOD, and on the
// host, where the workspace is not mounted nodev, a 0666 terminal or disk node would be open
// to every user).
Status MakeHarmless(int dirfd, const char* name, StripStats& stats) {
  UniqueFd f(::openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!f.valid()) return Status::Ok();  // gone meanwhile
  struct stat st;
  if (::fstat(f.get(), &st) != 0) return Status::Ok();
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    if (::unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
      return Internal(std::string("remove the device node ") + name + ": " + std::strerror(errno));
    }
    ++stats.devices;
    return Status::Ok();
  }
  if (!S_ISREG(st.st_mode)) return Status::Ok();
  // fchmod and fremovexattr refuse O_PATH fds; the fd's /proc link names exactly this inode.
  std::string via = "/proc/self/fd/" + std::to_string(f.get());
  if (::removexattr(via.c_str(), "security.capability") == 0) {
    ++stats.capabilities;
  } else if (errno != ENODATA && errno != ENOTSUP) {
    return Internal(std::string("remove the file capabilities of ") + name + ": " +
                    std::strerror(errno));
  }
  if ((st.st_mode & (S_ISUID | S_ISGID)) == 0) return Status::Ok();
  if (::chmod(via.c_str(), st.st_mode & 07777 & ~(S_ISUID | S_ISGID)) != 0) {
    return Internal(std::string("remove the set-id bits of ") + name + ": " + std::strerror(errno));
  }
  ++stats.stripped;
  return Status::Ok();
}

// Walks on past errors (one entry kiln cannot fix must not leave the rest unchecked) and
// returns the first. A directory at the depth limit is closed to everyone but root (mode 0700)
// instead of walked, so nothing below it is reachable by a host user.
Status Walk(int dirfd, const struct statx& root, int depth, StripStats& stats) {
  if (depth > kMaxSetIdDepth) {
    (void)::fchmod(dirfd, 0700);
    return FailedPrecondition("nested deeper than " + std::to_string(kMaxSetIdDepth) +
                              " directories; kiln cannot check it for set-id files and made it "
                              "accessible to root only");
  }
  int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Internal(std::string("dup: ") + std::strerror(errno));
  DIR* d = ::fdopendir(copy);
  if (d == nullptr) {
    ::close(copy);
    return Internal(std::string("fdopendir: ") + std::strerror(errno));
  }
  Status first;
  auto note = [&](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    ++stats.entries;
    if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
      UniqueFd sub(::openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.valid()) {
        if (SameMount(sub.get(), root)) note(Walk(sub.get(), root, depth + 1, stats));
        continue;
      }
      if (e->d_type == DT_DIR) continue;  // gone or became a link meanwhile
    }
    if (e->d_type == DT_REG || e->d_type == DT_CHR || e->d_type == DT_BLK ||
        e->d_type == DT_UNKNOWN) {
      note(MakeHarmless(dirfd, e->d_name, stats));
    }
  }
  ::closedir(d);
  return first;
}

}  // namespace

Result<StripStats> StripSetIdBits(const std::string& root) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  struct statx sx;
  if (::statx(fd.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0) {
    return Internal("statx " + root + ": " + std::strerror(errno));
  }
  StripStats stats;
  RETURN_IF_ERROR(Walk(fd.get(), sx, 1, stats).WithContext(root));
  return stats;
}

}  // namespace kiln::workflow
