#include "snapshot/layer_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <random>
#include <set>

#include "base/clock.h"
#include "base/fd.h"
#include "base/fs.h"
#include "snapshot/layer_apply.h"

namespace kiln::snapshot {

Result<LayerCache> LayerCache::Open(const std::string& root, content::BlobStore* blobs,
                                    int64_t max_layer_unpacked) {
  RETURN_IF_ERROR(MakeDirs(root, 0700));
  if (::chmod(root.c_str(), 0700) != 0) return ErrnoStatus("chmod " + root, errno);
  return LayerCache(root, blobs, max_layer_unpacked);
}

std::string LayerCache::PathFor(const oci::Digest& diff_id) const {
  return root_ + "/" + std::string(diff_id.hex());
}

bool LayerCache::Has(const oci::Digest& diff_id) const { return IsDirectory(PathFor(diff_id)); }

Result<std::vector<std::string>> LayerCache::Prepare(
    const oci::Manifest& manifest, const oci::ImageConfig& config,
    const std::function<void(const std::string&)>& on_progress) {
  if (manifest.layers.size() != config.diff_ids.size()) {
    return InvalidArgument("manifest has " + std::to_string(manifest.layers.size()) +
                           " layers but config has " + std::to_string(config.diff_ids.size()) +
                           " diff IDs");
  }
  std::vector<std::string> dirs;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const oci::Digest& diff_id = config.diff_ids[i];
    std::string final_dir = PathFor(diff_id);
    dirs.push_back(final_dir);
    if (IsDirectory(final_dir)) continue;
    const oci::Descriptor& layer = manifest.layers[i];
    ASSIGN_OR_RETURN(oci::Compression compression, oci::LayerCompression(layer.media_type));
    ASSIGN_OR_RETURN(UniqueFd fd, blobs_->Open(layer.digest));
    Stopwatch watch;
    std::string name = "layer " + layer.digest.str();
    auto stats = Unpack(fd.get(), compression, diff_id, name);
    if (!stats.ok()) {
      if (stats.status().message().rfind(name, 0) == 0) return stats.status();
      return stats.status().WithContext("unpack layer " + layer.digest.Short());
    }
    if (on_progress) {
      on_progress("unpacked layer " + layer.digest.Short() + " (" + FormatBytes(layer.size) + ", " +
                  std::to_string(stats->entries) + " entries) in " +
                  FormatDuration(watch.Seconds()));
    }
  }
  return dirs;
}

Result<ApplyStats> LayerCache::Unpack(int fd, oci::Compression compression,
                                      const oci::Digest& diff_id, const std::string& name,
                                      const std::function<Status()>& before_rename) {
  // Unique per thread too (jobs of one process prepare layers at once); the pid stays last,
  // for Prune's liveness check.
  static std::atomic<uint64_t> seq{0};
  std::string final_dir = PathFor(diff_id);
  std::string tmp = root_ + "/.tmp-" + std::string(diff_id.hex()) + "-" + std::to_string(seq++) +
                    "-" + std::to_string(::getpid());
  RETURN_IF_ERROR(RemoveTree(tmp));
  RETURN_IF_ERROR(MakeDirs(tmp, 0755));
  auto stats = ApplyLayer(fd, compression, tmp, ApplyOptions{max_unpacked_, name});
  if (stats.ok() && stats->diff_id != diff_id) {
    stats = DataLoss(name + " unpacks to diff ID " + stats->diff_id.str() +
                     ", but the image config says " + diff_id.str());
  }
  if (stats.ok() && before_rename) {
    if (Status s = before_rename(); !s.ok()) stats = s;
  }
  if (!stats.ok()) {
    (void)RemoveTree(tmp);
    return stats.status();
  }
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
    int err = errno;
    (void)RemoveTree(tmp);
    // Another process finished the same layer first: theirs is as good as ours.
    if (!(err == ENOTEMPTY || err == EEXIST) || !IsDirectory(final_dir)) {
      return ErrnoStatus("rename layer into cache", err);
    }
  }
  return stats;
}

Result<std::string> LayerCache::UnpackStream(int fd, oci::Compression compression,
                                             const oci::Digest& diff_id, const std::string& name,
                                             const std::function<Status()>& verify,
                                             std::atomic<bool>* failed) {
  // Read what follows the tar's end (padding), so the feeder never blocks on a full pipe.
  auto drain = [fd] { return ReadChunks(fd, [](std::string_view) { return Status::Ok(); }); };
  auto stats = Unpack(fd, compression, diff_id, name, [&]() -> Status {
    RETURN_IF_ERROR(drain());
    return verify ? verify() : Status::Ok();
  });
  if (!stats.ok()) {
    if (failed != nullptr) failed->store(true);  // the feeder stops fetching
    (void)drain();
    return stats.status();
  }
  return PathFor(diff_id);
}

Status LayerCache::Adopt(const oci::Digest& diff_id, const std::string& dir) {
  std::string final_dir = PathFor(diff_id);
  if (IsDirectory(final_dir)) return RemoveTree(dir);
  if (::rename(dir.c_str(), final_dir.c_str()) != 0) {
    int err = errno;
    if ((err == ENOTEMPTY || err == EEXIST) && IsDirectory(final_dir)) return RemoveTree(dir);
    return ErrnoStatus("move " + dir + " into the layer cache", err);
  }
  return Status::Ok();
}

std::string LayerCache::NewKey() {
  std::random_device rd;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
  return std::string("snap-") + hex;
}

std::string LayerCache::DirFor(const std::string& key) const { return root_ + "/" + key; }

Status LayerCache::Link(const oci::Digest& diff_id, const std::string& key) {
  std::string final_path = PathFor(diff_id);
  if (IsDirectory(final_path)) return Status::Ok();
  static std::atomic<uint64_t> seq{0};
  std::string tmp = root_ + "/.tmp-link-" + std::string(diff_id.hex()) + "-" +
                    std::to_string(seq++) + "-" + std::to_string(::getpid());
  (void)::unlink(tmp.c_str());
  if (::symlink(key.c_str(), tmp.c_str()) != 0) return ErrnoStatus("symlink " + tmp, errno);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    (void)::unlink(tmp.c_str());
    // A directory of that name appeared meanwhile (the layer was unpacked): as good.
    if (!IsDirectory(final_path)) return ErrnoStatus("link layer " + diff_id.Short(), err);
  }
  return Status::Ok();
}

Status LayerCache::Prune(const std::vector<oci::Digest>& keep,
                         const std::vector<std::string>& keep_names) {
  std::set<std::string> live(keep_names.begin(), keep_names.end());
  for (const auto& d : keep) {
    std::string hex(d.hex());
    live.insert(hex);
    char target[256];
    ssize_t n = ::readlink(PathFor(d).c_str(), target, sizeof target - 1);
    if (n > 0) live.insert(std::string(target, static_cast<size_t>(n)));
  }
  ASSIGN_OR_RETURN(auto names, ListDir(root_));
  for (const auto& name : names) {
    bool stale_tmp = name.rfind(".tmp-", 0) == 0;
    if (!stale_tmp && live.count(name) != 0) continue;
    if (stale_tmp) {
      // Only temp dirs whose process is gone.
      std::string pid = name.substr(name.rfind('-') + 1);
      if (PathExists("/proc/" + pid)) continue;
    }
    RETURN_IF_ERROR(RemoveTree(root_ + "/" + name));
  }
  return Status::Ok();
}

}  // namespace kiln::snapshot
