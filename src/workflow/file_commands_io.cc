#include "workflow/file_commands_io.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kiln::workflow {
namespace {

constexpr uint64_t kResolve =
    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

// openat2 inside `dirfd`; -1 with errno set on failure.
int OpenInside(int dirfd, const std::string& path, uint64_t flags, uint64_t mode = 0) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC | O_NOFOLLOW;
  how.mode = mode;
  how.resolve = kResolve;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return static_cast<int>(fd);
}

std::string Why(int err) {
  if (err == ELOOP)
    return "is a symbolic link or lies under one (kiln follows none in the job's temp dir)";
  if (err == EXDEV) return "leads out of the job's temp dir";
  return std::strerror(err);
}

}  // namespace

Result<UniqueFd> OpenTempDir(const std::string& host_temp) {
  return Open(host_temp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

Status CreateCommandFiles(int temp_fd, const std::vector<std::string>& names, FileOwner owner) {
  bool made = ::mkdirat(temp_fd, kCommandDir, 0755) == 0;
  if (!made && errno != EEXIST) {
    return Internal(std::string("create ") + kCommandDir + ": " + std::strerror(errno));
  }
  UniqueFd dir(OpenInside(temp_fd, kCommandDir, O_RDONLY | O_DIRECTORY));
  if (!dir.valid()) {
    int err = errno;
    return FailedPrecondition(
        "$RUNNER_TEMP/" + std::string(kCommandDir) + " " +
        (err == ENOTDIR || err == ELOOP ? "is not a directory" : Why(err)) +
        ": a step replaced it (by a link or a file); kiln creates nothing through it");
  }
  if (made && owner.uid >= 0 && ::fchown(dir.get(), owner.uid, owner.gid) != 0)
    return Internal(std::string("chown ") + kCommandDir + ": " + std::strerror(errno));
  for (const auto& n : names) {
    UniqueFd f(OpenInside(dir.get(), n, O_WRONLY | O_CREAT | O_EXCL, 0644));
    if (!f.valid())
      return FailedPrecondition("create $RUNNER_TEMP/" + std::string(kCommandDir) + "/" + n + ": " +
                                Why(errno));
    if (owner.uid >= 0 && ::fchown(f.get(), owner.uid, owner.gid) != 0)
      return Internal("chown " + n + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> ReadCommandFile(int temp_fd, const std::string& name, const std::string& what) {
  // Looked at through an O_PATH fd before anything opens it: opening a device node the step put
  // there (a terminal, say) could have effects of its own.
  UniqueFd at(OpenInside(temp_fd, std::string(kCommandDir) + "/" + name, O_PATH));
  if (!at.valid()) {
    if (errno == ENOENT) return std::string();
    return FailedPrecondition(what + " " + Why(errno) + "; kiln reads it only as a regular file");
  }
  struct stat st;
  if (::fstat(at.get(), &st) != 0) return Internal(what + ": fstat: " + std::strerror(errno));
  if (S_ISLNK(st.st_mode)) {  // O_PATH|O_NOFOLLOW gives the link itself
    return FailedPrecondition(what + " " + Why(ELOOP) + "; kiln reads it only as a regular file");
  }
  if (!S_ISREG(st.st_mode)) {
    return FailedPrecondition(
        what +
        " is not a regular file (a FIFO, device or socket); kiln reads it only as a regular file");
  }
  // The fd's /proc link names exactly the inode just checked.
  std::string via = "/proc/self/fd/" + std::to_string(at.get());
  UniqueFd f(::open(via.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!f.valid()) return Internal(what + ": open: " + std::strerror(errno));
  std::string too_big =
      what + " is larger than 1 MiB, kiln's (and GitHub's) limit for a file-command file";
  if (static_cast<uint64_t>(st.st_size) > kMaxFileCommandBytes) return InvalidArgument(too_big);
  std::string text(kMaxFileCommandBytes + 1, '\0');
  ASSIGN_OR_RETURN(size_t n, ReadFull(f.get(), text.data(), text.size()));
  if (n > kMaxFileCommandBytes) return InvalidArgument(too_big);
  text.resize(n);
  return text;
}

Status WriteStepScript(int temp_fd, const std::string& name, const std::string& text,
                       FileOwner owner) {
  UniqueFd f(OpenInside(temp_fd, name, O_WRONLY | O_CREAT | O_EXCL, 0700));
  if (!f.valid())
    return Internal("create the step's script $RUNNER_TEMP/" + name + ": " + Why(errno));
  if (owner.uid >= 0 && ::fchown(f.get(), owner.uid, owner.gid) != 0)
    return Internal("chown the step's script: " + std::string(std::strerror(errno)));
  return WriteAll(f.get(), text).WithContext("write the step's script");
}

void RemoveStepFile(int temp_fd, const std::string& name) {
  size_t slash = name.rfind('/');
  if (slash == std::string::npos) {
    (void)::unlinkat(temp_fd, name.c_str(), 0);
    return;
  }
  UniqueFd dir(OpenInside(temp_fd, name.substr(0, slash), O_RDONLY | O_DIRECTORY));
  if (dir.valid()) (void)::unlinkat(dir.get(), name.substr(slash + 1).c_str(), 0);
}

}  // namespace kiln::workflow
