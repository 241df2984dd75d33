// Assembling an image from layers: the config and manifest that make a set of layer blobs an
// OCI image. Used by `kiln image import` (one layer from a rootfs) and by snapshots (the base
// image's layers plus one captured layer).
//
// Order contract: every layer blob is already in the store; CommitImage then writes the config
// blob and then the manifest blob, and returns the manifest's descriptor for ImageStore::Tag.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "content/blob_store.h"
#include "oci/types.h"
#include "snapshot/layer_write.h"

namespace kiln::snapshot {

// A config for an image built from a bare root filesystem: the host's os/arch, a default PATH,
// Cmd ["/bin/sh"], created = now.
oci::ImageConfig RootfsConfig(int64_t created_unix);

// An image under construction: its config and its layer descriptors, bottom first.
struct ImageDraft {
  oci::ImageConfig config;
  std::vector<oci::Descriptor> layers;
};

// Starts from a loaded base image (its config and layers, unchanged).
ImageDraft DraftFrom(const oci::ImageConfig& config, const oci::Manifest& manifest);
// Appends a layer: its descriptor, its diff ID, and a history entry.
void AddLayer(ImageDraft& draft, const LayerInfo& layer, const oci::HistoryEntry& history);
// Writes config then manifest to `store` (see the order contract above).
Result<oci::Descriptor> CommitImage(const ImageDraft& draft, content::BlobStore& store);

}  // namespace kiln::snapshot
