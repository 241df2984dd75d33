#include "images/gc.h"

#include "images/pending.h"

namespace kiln::images {
namespace {

// The diff ID a layer-cache dir stands for (its name is the digest's hex).
std::optional<oci::Digest> DiffIdOfDir(const std::string& dir) {
  auto d = oci::Digest::Parse("sha256:" + dir.substr(dir.rfind('/') + 1));
  if (!d.ok()) return std::nullopt;
  return *d;
}

}  // namespace

Result<GcReport> CollectGarbage(content::ImageStore& store, catalog::Catalog& catalog,
                                snapshot::LayerCache& layers,
                                const std::vector<std::string>& layer_dirs_in_use) {
  GcReport report;
  ASSIGN_OR_RETURN(auto versions, catalog.List(""));
  std::vector<oci::Digest> roots;
  // A pending version (being made whole, by another process when the caller waited for its
  // own) keeps its base image and its keyed layer dir.
  std::vector<std::string> keep_names;
  for (const auto& v : versions) {
    if (!v.is_pending()) {
      roots.push_back(v.manifest);
      continue;
    }
    auto spec = ParsePending(v.pending);
    if (!spec.ok()) continue;  // unreadable: it can never be made whole; GC goes on
    roots.push_back(spec->base);
    keep_names.push_back(spec->layer_key);
  }
  ASSIGN_OR_RETURN(report.blob_bytes, store.CollectGarbage(roots));

  std::vector<std::string> refs;
  ASSIGN_OR_RETURN(auto names, store.List());
  for (const auto& n : names) refs.push_back(n.manifest.digest.str());
  for (const auto& d : roots) refs.push_back(d.str());
  std::vector<oci::Digest> keep;
  for (const auto& r : refs) {
    auto img = store.Load(r);
    if (img.ok()) keep.insert(keep.end(), img->config.diff_ids.begin(), img->config.diff_ids.end());
  }
  for (const auto& dir : layer_dirs_in_use) {
    if (auto d = DiffIdOfDir(dir)) keep.push_back(*d);
    keep_names.push_back(dir.substr(dir.rfind('/') + 1));  // a keyed dir, or a link's target
  }
  RETURN_IF_ERROR(layers.Prune(keep, keep_names));
  return report;
}

}  // namespace kiln::images
