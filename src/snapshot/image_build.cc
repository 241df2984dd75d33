#include "snapshot/image_build.h"

#include "base/clock.h"
#include "oci/media_types.h"

namespace kiln::snapshot {

oci::ImageConfig RootfsConfig(int64_t created_unix) {
  oci::ImageConfig c;
  oci::Platform p = oci::HostPlatform();
  c.architecture = p.architecture;
  c.os = p.os;
  c.variant = p.variant;
  c.created = FormatRfc3339(created_unix);
  c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  c.cmd = {"/bin/sh"};
  return c;
}

ImageDraft DraftFrom(const oci::ImageConfig& config, const oci::Manifest& manifest) {
  return ImageDraft{config, manifest.layers};
}

void AddLayer(ImageDraft& draft, const LayerInfo& layer, const oci::HistoryEntry& history) {
  draft.layers.push_back(layer.descriptor);
  draft.config.diff_ids.push_back(layer.diff_id);
  draft.config.history.push_back(history);
  if (!history.created.empty()) draft.config.created = history.created;
}

Result<oci::Descriptor> CommitImage(const ImageDraft& draft, content::BlobStore& store) {
  if (draft.layers.size() != draft.config.diff_ids.size()) {
    return Internal("image draft has " + std::to_string(draft.layers.size()) + " layers but " +
                    std::to_string(draft.config.diff_ids.size()) + " diff IDs");
  }
  for (const auto& layer : draft.layers) {
    if (!store.Has(layer.digest))
      return FailedPrecondition("layer " + layer.digest.str() + " missing");
  }
  ASSIGN_OR_RETURN(oci::Descriptor config,
                   store.Put(oci::SerializeImageConfig(draft.config), oci::kMediaTypeConfig));
  oci::Manifest manifest;
  manifest.media_type = oci::kMediaTypeManifest;
  manifest.config = config;
  manifest.layers = draft.layers;
  ASSIGN_OR_RETURN(oci::Descriptor desc,
                   store.Put(oci::SerializeManifest(manifest), oci::kMediaTypeManifest));
  desc.platform = oci::HostPlatform();
  return desc;
}

}  // namespace kiln::snapshot
