#include "snapshot/squash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "base/fs.h"

namespace kiln::snapshot {
namespace {

constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";

bool IsOpaque(const std::string& path) {
  char v[2] = {};
  return ::lgetxattr(path.c_str(), kOpaqueXattr, v, 1) == 1 && v[0] == 'y';
}

Result<std::vector<std::string>> XattrNames(const std::string& path) {
  std::vector<std::string> out;
  ssize_t n = ::llistxattr(path.c_str(), nullptr, 0);
  if (n < 0 && errno == ENOTSUP) return out;
  if (n < 0) return ErrnoStatus("list xattrs of " + path, errno);
  std::string buf(static_cast<size_t>(n), '\0');
  n = ::llistxattr(path.c_str(), buf.data(), buf.size());
  if (n < 0) return ErrnoStatus("list xattrs of " + path, errno);
  for (size_t i = 0; i < static_cast<size_t>(n);) {
    std::string name(buf.c_str() + i);
    i += name.size() + 1;
    if (name.rfind("trusted.overlay.", 0) != 0) out.push_back(name);
  }
  return out;
}

// Gives directory `dst` the mode, owner and xattrs of `src` (overlay-private xattrs excepted:
// `dst` keeps or gets opacity as the caller decides). Times are set later, once its entries are in.
Status CopyDirMeta(const std::string& src, const struct stat& st, const std::string& dst) {
  if (::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0) return ErrnoStatus("chown " + dst, errno);
  if (::chmod(dst.c_str(), st.st_mode & 07777) != 0) return ErrnoStatus("chmod " + dst, errno);
  ASSIGN_OR_RETURN(auto old_names, XattrNames(dst));
  for (const auto& name : old_names) {
    if (::lremovexattr(dst.c_str(), name.c_str()) != 0)
      return ErrnoStatus("remove xattr " + name + " of " + dst, errno);
  }
  ASSIGN_OR_RETURN(auto names, XattrNames(src));
  for (const auto& name : names) {
    ssize_t n = ::lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (n < 0) return ErrnoStatus("read xattr " + name + " of " + src, errno);
    std::string value(static_cast<size_t>(n), '\0');
    n = ::lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (n < 0) return ErrnoStatus("read xattr " + name + " of " + src, errno);
    if (::lsetxattr(dst.c_str(), name.c_str(), value.data(), static_cast<size_t>(n), 0) != 0) {
      return ErrnoStatus("set xattr " + name + " on " + dst, errno);
    }
  }
  return Status::Ok();
}

struct Merge {
  std::string scratch;
  std::map<std::string, struct stat> dir_times;  // relative path → stat whose times it gets
};

Status MergeDir(Merge& m, const std::string& layer, const std::string& rel);

// Removes the merged entry at `rel` with everything below it.
Status RemoveMerged(Merge& m, const std::string& rel) {
  std::string prefix = rel + "/";
  m.dir_times.erase(rel);
  for (auto it = m.dir_times.lower_bound(prefix);
       it != m.dir_times.end() && it->first.rfind(prefix, 0) == 0;) {
    it = m.dir_times.erase(it);
  }
  return RemoveTree(m.scratch + "/" + rel);
}

// Merges one entry of `layer` at `rel` (non-empty, relative) into the scratch tree.
Status MergeEntry(Merge& m, const std::string& layer, const std::string& rel) {
  std::string src = layer + "/" + rel, dst = m.scratch + "/" + rel;
  struct stat st, have;
  if (::lstat(src.c_str(), &st) != 0) return ErrnoStatus("stat " + src, errno);
  bool exists = ::lstat(dst.c_str(), &have) == 0;
  if (!exists && errno != ENOENT) return ErrnoStatus("stat " + dst, errno);
  if (!S_ISDIR(st.st_mode)) {
    if (exists) RETURN_IF_ERROR(RemoveMerged(m, rel));
    if (::link(src.c_str(), dst.c_str()) != 0) {
      if (errno == EXDEV) {
        return FailedPrecondition("squash: scratch dir " + m.scratch +
                                  " is not on the filesystem of " + layer);
      }
      return ErrnoStatus("link " + src + " to " + dst, errno);
    }
    return Status::Ok();
  }
  bool opaque = IsOpaque(src);
  bool replace = exists && (opaque || !S_ISDIR(have.st_mode));
  // A dir over a whiteout or non-dir must keep hiding what lies below the stack.
  bool make_opaque = opaque || (exists && !S_ISDIR(have.st_mode));
  bool keep_opaque = exists && S_ISDIR(have.st_mode) && !replace && IsOpaque(dst);
  if (replace) RETURN_IF_ERROR(RemoveMerged(m, rel));
  if (!exists || replace) {
    if (::mkdir(dst.c_str(), 0700) != 0) return ErrnoStatus("mkdir " + dst, errno);
  }
  RETURN_IF_ERROR(CopyDirMeta(src, st, dst));
  if (make_opaque || keep_opaque) {
    if (::lsetxattr(dst.c_str(), kOpaqueXattr, "y", 1, 0) != 0)
      return ErrnoStatus("mark " + dst + " opaque", errno);
  }
  m.dir_times[rel] = st;
  return MergeDir(m, layer, rel);
}

Status MergeDir(Merge& m, const std::string& layer, const std::string& rel) {
  ASSIGN_OR_RETURN(auto names, ListDir(rel.empty() ? layer : layer + "/" + rel));
  for (const auto& name : names) {
    RETURN_IF_ERROR(MergeEntry(m, layer, rel.empty() ? name : rel + "/" + name));
  }
  return Status::Ok();
}

Result<LayerInfo> MergeAndWrite(Merge& m, const std::vector<std::string>& layer_dirs,
                                const WriteOptions& options, content::BlobStore& store) {
  for (const auto& layer : layer_dirs)
    RETURN_IF_ERROR_CTX(MergeDir(m, layer, ""), "squash " + layer);
  // Children sort after their parents: set times deepest first, after the entries are in.
  for (auto it = m.dir_times.rbegin(); it != m.dir_times.rend(); ++it) {
    struct timespec times[2] = {it->second.st_atim, it->second.st_mtim};
    std::string dst = m.scratch + "/" + it->first;
    if (::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("set times of " + dst, errno);
    }
  }
  WriteOptions upper = options;
  upper.kind = SourceKind::kOverlayUpper;
  return WriteLayerFromDir(m.scratch, upper, store);
}

}  // namespace

Result<LayerInfo> SquashLayers(const std::vector<std::string>& layer_dirs,
                               const std::string& scratch_parent, const WriteOptions& options,
                               content::BlobStore& store) {
  if (layer_dirs.empty()) return InvalidArgument("squash: no layers");
  std::string parent = scratch_parent;
  if (parent.empty()) {
    std::string first = layer_dirs.front();
    while (first.size() > 1 && first.back() == '/') first.pop_back();
    size_t slash = first.rfind('/');
    parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : first.substr(0, slash));
  }
  ASSIGN_OR_RETURN(std::string scratch, MakeTempDir(parent, ".tmp-squash-"));
  // LayerCache::Prune reads the owner's pid after the last '-': put it there.
  std::string named = scratch + "-" + std::to_string(::getpid());
  if (::rename(scratch.c_str(), named.c_str()) != 0) {
    Status s = ErrnoStatus("rename " + scratch, errno);
    (void)RemoveTree(scratch);
    return s;
  }
  Merge m{named, {}};
  Result<LayerInfo> out = MergeAndWrite(m, layer_dirs, options, store);
  Status removed = RemoveTree(named);
  if (!out.ok()) return out;
  if (!removed.ok()) return removed.WithContext("squash: remove scratch dir");
  return out;
}

}  // namespace kiln::snapshot
