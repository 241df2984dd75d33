// Symlink-safe file operations of the built-ins (builtin_safe_fs.h).
#include "workflow/builtin_safe_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"
#include "workflow/builtin_paths.h"

namespace kiln::workflow {
namespace {

std::string RealPath(const std::string& p) {
  char* real = ::realpath(p.c_str(), nullptr);
  std::string out = real ? real : "";
  std::free(real);
  return out;
}

Status Refused(const std::string& shown, const std::string& what) {
  return FailedPrecondition(shown + ": " + what +
                            " is a symlink; kiln writes no file through a symlink (remove the "
                            "link, or give a path without one)");
}

// Opens (making it when missing) directory `name` in `dir_fd`, refusing a symlink.
Result<UniqueFd> OpenChildDir(int dir_fd, const std::string& name, const std::string& shown) {
  if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("mkdir " + name, errno);
  }
  auto fd = OpenAt(dir_fd, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW);
  if (!fd.ok()) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      return Refused(shown, name);
    }
  }
  return fd;
}

Status CopyFile(const std::string& from, const struct stat& st, int dir_fd, const std::string& name,
                const std::string& shown) {
  ASSIGN_OR_RETURN(UniqueFd in, Open(from, O_RDONLY | O_NOFOLLOW));
  // An existing file is replaced, not written into: it may be a hard link to a file elsewhere.
  struct stat dst;
  if (::fstatat(dir_fd, name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(dst.st_mode)) return Refused(shown, name);
    if (!S_ISDIR(dst.st_mode) && ::unlinkat(dir_fd, name.c_str(), 0) != 0) {
      return ErrnoStatus("replace " + shown + "/" + name, errno);
    }
  }
  auto out = OpenAt(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, st.st_mode & 07777);
  if (!out.ok()) return out.status().WithContext(shown);
  RETURN_IF_ERROR(
      ReadChunks(in.get(), [&](std::string_view chunk) { return WriteAll(out->get(), chunk); }));
  ::fchmod(out->get(), st.st_mode & 07777);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(out->get(), times);
  return Status::Ok();
}

Status CopyInto(const std::string& from, int dir_fd, const std::string& shown) {
  ASSIGN_OR_RETURN(auto names, ListDir(from));
  for (const auto& n : names) {
    std::string src = from + "/" + n;
    struct stat st;
    if (::lstat(src.c_str(), &st) != 0) return ErrnoStatus("stat " + src, errno);
    if (S_ISDIR(st.st_mode)) {
      ASSIGN_OR_RETURN(UniqueFd sub, OpenChildDir(dir_fd, n, shown + "/" + n));
      RETURN_IF_ERROR(CopyInto(src, sub.get(), shown + "/" + n));
    } else if (S_ISREG(st.st_mode)) {
      RETURN_IF_ERROR(CopyFile(src, st, dir_fd, n, shown));
    }
  }
  return Status::Ok();
}

}  // namespace

bool RealPathWithin(const std::string& root, const std::string& path) {
  std::string r = RealPath(root), real = RealPath(path);
  return !r.empty() && !real.empty() && PathWithin(r, real);
}

bool ResolvesInside(const JobContext& ctx, const std::string& host_path) {
  return RealPathWithin(WorkspaceHostDir(ctx), host_path) ||
         RealPathWithin(HomeHostDir(ctx), host_path);
}

Status CopyTreeNoFollow(const std::string& from, const std::string& root, const std::string& dest,
                        const std::string& shown) {
  RETURN_IF_ERROR(MakeDirs(root));
  ASSIGN_OR_RETURN(UniqueFd cur, Open(root, O_DIRECTORY | O_RDONLY));
  std::string rel = NormalizePath(dest).substr(NormalizePath(root).size());
  size_t i = 0;
  while (i <= rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    std::string part = rel.substr(i, j - i);
    i = j + 1;
    if (part.empty()) continue;
    ASSIGN_OR_RETURN(cur, OpenChildDir(cur.get(), part, shown));
  }
  return CopyInto(from, cur.get(), shown);
}

}  // namespace kiln::workflow
