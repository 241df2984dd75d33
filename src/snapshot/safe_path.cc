#include "snapshot/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace kiln::snapshot {
namespace {

Result<UniqueFd> OpenAt2(int dirfd, const std::string& path, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return ErrnoStatus("open " + path + " in root", errno);
  }
}

}  // namespace

Result<std::string> CleanPath(std::string_view raw) {
  if (raw.size() > 4096) return InvalidArgument("path longer than 4096 bytes");
  // A NUL would end the name the kernel sees early: "etc/passwd\0.txt" is not that name.
  if (raw.find('\0') != std::string_view::npos) return InvalidArgument("path has a NUL byte");
  std::string out;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string_view::npos) j = raw.size();
    std::string_view part = raw.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..")
      return InvalidArgument("path \"" + std::string(raw) + "\" has a .. component");
    if (!out.empty()) out += '/';
    out.append(part);
  }
  return out;
}

std::pair<std::string, std::string> SplitParent(const std::string& clean) {
  size_t slash = clean.rfind('/');
  if (slash == std::string::npos) return {"", clean};
  return {clean.substr(0, slash), clean.substr(slash + 1)};
}

Result<UniqueFd> OpenDirInRoot(int root_fd, const std::string& rel, bool create) {
  auto fd = OpenAt2(root_fd, rel, O_DIRECTORY | O_RDONLY);
  if (fd.ok() || !create || fd.status().code() != Code::kNotFound) return fd;
  // Create missing components one by one, each resolved in the root.
  UniqueFd cur;
  std::string prefix;
  size_t i = 0;
  ASSIGN_OR_RETURN(cur, OpenAt2(root_fd, "", O_DIRECTORY | O_RDONLY));
  while (i <= rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    std::string part = rel.substr(i, j - i);
    i = j + 1;
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir " + prefix, errno);
    }
    ASSIGN_OR_RETURN(cur, OpenAt2(root_fd, prefix, O_DIRECTORY | O_RDONLY));
  }
  return cur;
}

Result<std::string> ReadFileInRoot(const std::string& root_dir, const std::string& rel,
                                   size_t max_bytes) {
  ASSIGN_OR_RETURN(UniqueFd root, Open(root_dir, O_DIRECTORY | O_RDONLY));
  ASSIGN_OR_RETURN(UniqueFd fd, OpenAt2(root.get(), rel, O_RDONLY | O_NOCTTY | O_NONBLOCK));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(rel + " is not a regular file");
  }
  std::string out(std::min<size_t>(max_bytes, static_cast<size_t>(st.st_size)), '\0');
  ASSIGN_OR_RETURN(size_t got, ReadFull(fd.get(), out.data(), out.size()));
  out.resize(got);
  return out;
}

}  // namespace kiln::snapshot
