// Writing a step's image (a new config, or a new layer from a staged tree) and reading the
// current image's tree (steps.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/clock.h"
#include "base/fs.h"
#include "build/steps.h"
#include "snapshot/image_build.h"
#include "snapshot/layer_write.h"

namespace kiln::build {
namespace {

oci::HistoryEntry History(BuildState& s, const std::string& created_by, bool empty_layer) {
  oci::HistoryEntry h;
  h.created = FormatRfc3339(s.engine->clock().NowUnix());
  h.created_by = created_by;
  h.comment = "kiln build";
  h.empty_layer = empty_layer;
  return h;
}

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

bool ImageHasDir(const std::vector<std::string>& lower_dirs, const std::string& path) {
  if (path == "/") return true;
  auto p = Topmost(lower_dirs, path);
  struct stat st;
  return p && ::stat(p->c_str(), &st) == 0 && S_ISDIR(st.st_mode);
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

Result<std::vector<std::string>> LowerDirs(BuildState& s) {
  ASSIGN_OR_RETURN(images::Resolver * resolver, s.engine->Resolver());
  ASSIGN_OR_RETURN(images::Image image, resolver->Prepare(s.ref, nullptr));
  return image.lower_dirs;
}

Result<oci::Descriptor> CommitConfig(BuildState& s, oci::ImageConfig config,
                                     const std::string& created_by) {
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  oci::HistoryEntry h = History(s, created_by, true);
  config.created = h.created;
  config.history.push_back(h);
  snapshot::ImageDraft draft = snapshot::DraftFrom(config, s.image.manifest);
  auto ingest = store->BeginIngest();
  return snapshot::CommitImage(draft, *ingest);
}

Result<oci::Descriptor> CommitLayer(BuildState& s, const std::string& rootfs,
                                    oci::ImageConfig config, const std::string& created_by) {
  ASSIGN_OR_RETURN(content::ImageStore * store, s.engine->Store());
  auto ingest = store->BeginIngest();
  snapshot::WriteOptions options;
  options.compression = s.engine->options().layer_compression;
  ASSIGN_OR_RETURN(snapshot::LayerInfo layer,
                   snapshot::WriteLayerFromDir(rootfs, options, *ingest));
  snapshot::ImageDraft draft = snapshot::DraftFrom(config, s.image.manifest);
  snapshot::AddLayer(draft, layer, History(s, created_by, false));
  return snapshot::CommitImage(draft, *ingest);
}

}  // namespace kiln::build
