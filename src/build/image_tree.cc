// The current image's tree, read from its layer dirs: paths resolved inside it, and the
// directories a new layer needs staged as the image has them (steps.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>

#include "base/fs.h"
#include "build/steps.h"

namespace kiln::build {
namespace {

// The path in the topmost layer that has it (an overlay whiteout, a 0/0 character device,
// hides it); nullopt when none does.
std::optional<std::string> Topmost(const std::vector<std::string>& lower_dirs,
                                   const std::string& path) {
  for (auto it = lower_dirs.rbegin(); it != lower_dirs.rend(); ++it) {
    std::string p = JoinPath(*it, path);
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

}  // namespace

std::string CleanAbsolute(const std::string& cwd, const std::string& path) {
  std::string full = !path.empty() && path[0] == '/' ? path : cwd + "/" + path;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= full.size()) {
    size_t slash = full.find('/', i);
    if (slash == std::string::npos) slash = full.size();
    std::string part = full.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string ResolveInImage(const std::vector<std::string>& lower_dirs, const std::string& path) {
  std::vector<std::string> todo;
  auto push_next = [&todo](const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
      size_t slash = p.find('/', i);
      if (slash == std::string::npos) slash = p.size();
      if (slash > i) parts.push_back(p.substr(i, slash - i));
      i = slash + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());  // a stack: back() comes next
  };
  push_next(path);
  std::string cur;
  for (int hops = 0; !todo.empty();) {
    std::string part = todo.back();
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      cur = cur.substr(0, cur.find_last_of('/') == std::string::npos ? 0 : cur.find_last_of('/'));
      continue;
    }
    std::string next = cur + "/" + part;
    auto p = Topmost(lower_dirs, next);
    struct stat st;
    if (p && hops < 40 && ::lstat(p->c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlink(p->c_str(), target, sizeof target);
      if (n > 0) {
        ++hops;
        std::string t(target, static_cast<size_t>(n));
        if (t[0] == '/') cur.clear();
        push_next(t);
        continue;
      }
    }
    cur = next;
  }
  return cur.empty() ? "/" : cur;
}

bool ImageHasDir(const std::vector<std::string>& lower_dirs, const std::string& path) {
  std::string resolved = ResolveInImage(lower_dirs, path);
  if (resolved == "/") return true;
  auto p = Topmost(lower_dirs, resolved);
  struct stat st;
  return p && ::lstat(p->c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status StageDirs(const std::vector<std::string>& lower_dirs, const std::string& root,
                 const std::string& dir, int uid, int gid) {
  std::string at;
  size_t i = 1;
  while (i < dir.size()) {
    size_t slash = dir.find('/', i);
    if (slash == std::string::npos) slash = dir.size();
    at += "/" + dir.substr(i, slash - i);
    i = slash + 1;
    std::string staged = JoinPath(root, at);
    struct stat st;
    auto image_path = Topmost(lower_dirs, at);
    bool from_image = image_path && ::lstat(image_path->c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (::mkdir(staged.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir " + staged, errno);
    }
    if (from_image) {
      RETURN_IF_ERROR_CTX(::chmod(staged.c_str(), st.st_mode & 07777) == 0
                              ? Status::Ok()
                              : ErrnoStatus("chmod", errno),
                          staged);
      if (::geteuid() == 0 && ::lchown(staged.c_str(), st.st_uid, st.st_gid) != 0)
        return ErrnoStatus("chown " + staged, errno);
      struct timespec times[2] = {st.st_atim, st.st_mtim};
      (void)::utimensat(AT_FDCWD, staged.c_str(), times, AT_SYMLINK_NOFOLLOW);
    } else if (::geteuid() == 0 &&
               ::lchown(staged.c_str(), uid >= 0 ? uid : 0, gid >= 0 ? gid : 0) != 0) {
      return ErrnoStatus("chown " + staged, errno);
    }
  }
  return Status::Ok();
}

}  // namespace kiln::build
