#include "snapshot/tree_diff.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln::snapshot {
namespace {

struct Entry {
  std::string host_path;
  struct stat st;
};
using Tree = std::map<std::string, Entry>;  // "/a/b" → entry

void EraseBelow(Tree& t, const std::string& path) {
  std::string prefix = path + "/";
  for (auto it = t.lower_bound(prefix); it != t.end() && it->first.rfind(prefix, 0) == 0;)
    it = t.erase(it);
}

Status Walk(const std::string& layer, const std::string& rel, Tree& t) {
  ASSIGN_OR_RETURN(auto names, ListDir(layer + rel));
  for (const auto& n : names) {
    std::string path = rel + "/" + n, host = layer + path;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) return ErrnoStatus("stat " + host, errno);
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {  // whiteout
      t.erase(path);
      EraseBelow(t, path);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      char v[2] = {};
      if (::lgetxattr(host.c_str(), "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y')
        EraseBelow(t, path);
      if (auto it = t.find(path); it != t.end() && !S_ISDIR(it->second.st.st_mode)) t.erase(it);
      t[path] = {host, st};
      RETURN_IF_ERROR(Walk(layer, path, t));
      continue;
    }
    EraseBelow(t, path);
    t[path] = {host, st};
  }
  return Status::Ok();
}

Result<Tree> Merge(const std::vector<std::string>& layers) {
  Tree t;
  for (const auto& l : layers) RETURN_IF_ERROR(Walk(l, "", t));
  return t;
}

// Two files of equal size `size` hold the same bytes: compared in chunks, stopping at the first
// difference, so neither is ever read whole into memory. An unreadable file differs.
bool SameContent(const std::string& x, const std::string& y, off_t size) {
  auto a = Open(x, O_RDONLY);
  auto b = Open(y, O_RDONLY);
  if (!a.ok() || !b.ok()) return false;
  size_t chunk = std::clamp<size_t>(static_cast<size_t>(size), 1, size_t{1} << 18);
  auto ba = std::make_unique_for_overwrite<char[]>(chunk);
  auto bb = std::make_unique_for_overwrite<char[]>(chunk);
  for (;;) {
    auto na = ReadFull(a->get(), ba.get(), chunk);
    auto nb = ReadFull(b->get(), bb.get(), chunk);
    if (!na.ok() || !nb.ok() || *na != *nb) return false;
    if (*na == 0) return true;
    if (std::memcmp(ba.get(), bb.get(), *na) != 0) return false;
  }
}

bool Differs(const Entry& x, const Entry& y) {
  const struct stat &a = x.st, &b = y.st;
  if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || a.st_mode != b.st_mode ||
      a.st_uid != b.st_uid || a.st_gid != b.st_gid) {
    return true;
  }
  if (S_ISDIR(a.st_mode)) return false;
  if (a.st_size != b.st_size) return true;
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) return false;
  if (S_ISLNK(a.st_mode)) {
    char ta[4096], tb[4096];
    ssize_t na = ::readlink(x.host_path.c_str(), ta, sizeof ta),
            nb = ::readlink(y.host_path.c_str(), tb, sizeof tb);
    return na != nb || std::string(ta, na > 0 ? na : 0) != std::string(tb, nb > 0 ? nb : 0);
  }
  if (S_ISREG(a.st_mode)) return !SameContent(x.host_path, y.host_path, a.st_size);
  return a.st_rdev != b.st_rdev;
}

}  // namespace

Result<std::vector<PathChange>> DiffLayerStacks(const std::vector<std::string>& a,
                                                const std::vector<std::string>& b) {
  ASSIGN_OR_RETURN(Tree ta, Merge(a));
  ASSIGN_OR_RETURN(Tree tb, Merge(b));
  std::vector<PathChange> out;
  for (const auto& [path, e] : ta) {
    auto it = tb.find(path);
    if (it == tb.end()) {
      // Report a deleted directory once, not each file under it.
      size_t slash = path.rfind('/');
      std::string parent = path.substr(0, slash);
      if (!parent.empty() && ta.count(parent) && !tb.count(parent)) continue;
      out.push_back({'D', path});
    } else if (Differs(e, it->second)) {
      out.push_back({'C', path});
    }
  }
  for (const auto& [path, e] : tb) {
    if (!ta.count(path)) out.push_back({'A', path});
  }
  std::sort(out.begin(), out.end(),
            [](const PathChange& x, const PathChange& y) { return x.path < y.path; });
  return out;
}

}  // namespace kiln::snapshot
