// COPY and ADD sources in the build context (copy_files.h).
#include "build/copy_files.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"
#include "base/sha256.h"

namespace kiln::build {
namespace {

// `rel` clean and relative; InvalidArgument when it climbs out of the context.
Result<std::string> CleanRelative(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(i, slash - i);
    if (part == "..") {
      if (parts.empty()) return PermissionDenied(path + ": outside the build context");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return ErrnoStatus("realpath " + path, errno);
  return std::string(buf);
}

bool Inside(const std::string& root, const std::string& path) {
  return path == root || path.rfind(root + "/", 0) == 0;
}

std::string Child(const std::string& rel, const std::string& name) {
  return rel.empty() ? name : rel + "/" + name;
}

Status HashTree(Sha256& h, const std::string& host, const std::string& rel,
                const IgnoreRules& ignore, bool top) {
  if (!top && ignore.Ignored(rel)) return Status::Ok();
  struct stat st;
  if (::lstat(host.c_str(), &st) != 0) return ErrnoStatus("lstat " + host, errno);
  h.Update(rel + '\0' + std::to_string(st.st_mode) + '\0');
  if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = ::readlink(host.c_str(), target, sizeof target);
    if (n < 0) return ErrnoStatus("readlink " + host, errno);
    h.Update(std::string(target, static_cast<size_t>(n)) + '\0');
  } else if (S_ISREG(st.st_mode)) {
    ASSIGN_OR_RETURN(UniqueFd fd, Open(host, O_RDONLY | O_NOFOLLOW));
    h.Update(std::to_string(st.st_size) + '\0');
    RETURN_IF_ERROR(ReadChunks(fd.get(), [&](std::string_view chunk) {
      h.Update(chunk);
      return Status::Ok();
    }));
  } else if (S_ISDIR(st.st_mode)) {
    ASSIGN_OR_RETURN(auto names, ListDir(host));
    for (const auto& name : names)
      RETURN_IF_ERROR(HashTree(h, JoinPath(host, name), Child(rel, name), ignore, false));
  }
  return Status::Ok();
}

Status Own(const std::string& path, const CopyOptions& o) {
  if (::geteuid() == 0 && ::lchown(path.c_str(), o.uid, o.gid) != 0)
    return ErrnoStatus("chown " + path, errno);
  return Status::Ok();
}

void KeepTimes(const std::string& path, const struct stat& st) {
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  (void)::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  ASSIGN_OR_RETURN(UniqueFd in, Open(from, O_RDONLY | O_NOFOLLOW));
  (void)::unlink(to.c_str());
  ASSIGN_OR_RETURN(UniqueFd out, Open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  RETURN_IF_ERROR(
      ReadChunks(in.get(), [&](std::string_view chunk) { return WriteAll(out.get(), chunk); }));
  if (::fchmod(out.get(), mode) != 0) return ErrnoStatus("chmod " + to, errno);
  return Status::Ok();
}

Status CopyEntry(const std::string& from, const std::string& rel, const std::string& to,
                 const CopyOptions& o, const IgnoreRules& ignore, bool top) {
  if (!top && ignore.Ignored(rel)) return Status::Ok();
  struct stat st;
  if (::lstat(from.c_str(), &st) != 0) return ErrnoStatus("lstat " + from, errno);
  mode_t mode = o.chmod ? *o.chmod : (st.st_mode & 07777);
  if (S_ISDIR(st.st_mode)) {
    struct stat existing;
    bool made = ::lstat(to.c_str(), &existing) != 0;
    if (made && ::mkdir(to.c_str(), 0700) != 0) return ErrnoStatus("mkdir " + to, errno);
    if (!made && !S_ISDIR(existing.st_mode)) return FailedPrecondition(to + " is not a directory");
    ASSIGN_OR_RETURN(auto names, ListDir(from));
    for (const auto& name : names) {
      RETURN_IF_ERROR(
          CopyEntry(JoinPath(from, name), Child(rel, name), JoinPath(to, name), o, ignore, false));
    }
    if (!top || made) {
      if (::chmod(to.c_str(), top && made ? 0755 : mode) != 0)
        return ErrnoStatus("chmod " + to, errno);
      RETURN_IF_ERROR(Own(to, o));
      if (!top) KeepTimes(to, st);
    }
    return Status::Ok();
  }
  if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = ::readlink(from.c_str(), target, sizeof target - 1);
    if (n < 0) return ErrnoStatus("readlink " + from, errno);
    target[n] = '\0';
    (void)::unlink(to.c_str());
    if (::symlink(target, to.c_str()) != 0) return ErrnoStatus("symlink " + to, errno);
  } else if (S_ISREG(st.st_mode)) {
    RETURN_IF_ERROR(CopyFile(from, to, mode));
  } else {
    return FailedPrecondition(rel + ": not a file, directory or symlink (not copied)");
  }
  RETURN_IF_ERROR(Own(to, o));
  KeepTimes(to, st);
  return Status::Ok();
}

}  // namespace

Result<std::vector<Source>> FindSources(const std::string& context, const std::string& pattern,
                                        const IgnoreRules& ignore) {
  ASSIGN_OR_RETURN(std::string rel, CleanRelative(pattern));
  std::vector<std::string> hosts;
  if (rel.find_first_of("*?[") == std::string::npos) {
    hosts.push_back(JoinPath(context, rel));
  } else {
    glob_t g{};
    int rc = ::glob(JoinPath(context, rel).c_str(), 0, nullptr, &g);
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) hosts.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
  }
  std::vector<Source> out;
  for (const auto& host : hosts) {
    std::string r = host.size() > context.size() ? host.substr(context.size() + 1) : "";
    if (!r.empty() && ignore.Ignored(r)) continue;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) continue;
    auto real = RealPath(host);
    if (!real.ok() || !Inside(context, *real)) {
      return PermissionDenied(pattern + ": outside the build context (through a symlink)");
    }
    out.push_back({r, *real, IsDirectory(*real)});
  }
  if (out.empty()) return NotFound(pattern + ": no such file or directory in the build context");
  return out;
}

Result<std::string> SourcesDigest(const std::vector<Source>& sources, const IgnoreRules& ignore,
                                  const std::string& context) {
  Sha256 h;
  for (const auto& s : sources) RETURN_IF_ERROR(HashTree(h, s.host, s.rel, ignore, true));
  return h.HexDigest();
}

Status CopyTree(const Source& src, const std::string& dest, const CopyOptions& options,
                const IgnoreRules& ignore) {
  return CopyEntry(src.host, src.rel, dest, options, ignore, true);
}

}  // namespace kiln::build
