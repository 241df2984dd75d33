#include "images/publish.h"

#include <cerrno>
#include <cstdio>

#include "base/fs.h"

namespace kiln::images {

Result<catalog::VersionRecord> RecordVersion(catalog::Catalog& catalog, const Publication& p,
                                             const snapshot::CaptureResult& captured) {
  catalog::NewVersion nv;
  nv.manifest = captured.manifest.digest;
  nv.size = captured.size;
  nv.created = p.created;
  nv.runner_size = p.runner_size;
  nv.source = p.source;
  auto version = catalog.AddVersion(p.image_name, p.version, nv);
  if (!version.ok()) return version.status().WithContext("record " + p.image_name);
  return version;
}

Result<catalog::VersionRecord> RecordPendingVersion(catalog::Catalog& catalog, const Publication& p,
                                                    const PendingSpec& spec) {
  catalog::NewVersion nv;
  nv.created = p.created;
  nv.runner_size = p.runner_size;
  nv.source = p.source;
  nv.pending = SerializePending(spec);
  auto version = catalog.AddVersion(p.image_name, p.version, nv);
  if (!version.ok()) return version.status().WithContext("record " + p.image_name);
  return version;
}

Status AdoptKeyedLayer(snapshot::LayerCache& layers, const std::string& key,
                       const std::string& staged_dir, const std::set<std::string>& exclude) {
  // Not synced here (the overlay was volatile): MakeWhole syncs it before it is a whole layer.
  for (const auto& ex : exclude) RETURN_IF_ERROR(RemoveTree(JoinPath(staged_dir, ex)));
  std::string dir = layers.DirFor(key);
  if (::rename(staged_dir.c_str(), dir.c_str()) != 0) {
    return ErrnoStatus("move " + staged_dir + " into the layer cache", errno);
  }
  return Status::Ok();
}

Status AdoptLayer(snapshot::LayerCache& layers, const oci::Digest& diff_id,
                  const std::string& staged_dir, const std::set<std::string>& exclude) {
  for (const auto& ex : exclude) RETURN_IF_ERROR(RemoveTree(JoinPath(staged_dir, ex)));
  // The sandbox's overlay was volatile: make the layer durable before the cache trusts it.
  RETURN_IF_ERROR(SyncFilesystem(staged_dir));
  return layers.Adopt(diff_id, staged_dir);
}

Result<std::vector<catalog::VersionRecord>> ApplyRetention(catalog::Catalog& catalog,
                                                           const std::string& image_name,
                                                           int64_t now) {
  return catalog.Prune(image_name, now);
}

}  // namespace kiln::images
