// Writing a step's image: a new config, or a new layer from a staged tree (steps.h).
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

}  // namespace

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
