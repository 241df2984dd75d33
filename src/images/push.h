// Pushing a local image to a registry.
//
// Contract:
// - Blobs first (config and layers, in parallel), manifest last, so the registry never shows a
//   tag whose blobs are missing. For each blob: a HEAD that finds it skips it; else a
//   cross-repository mount from another repository of the same registry known to hold it
//   (blob_origins.h; a hint: a mount refused with an error, 401/403/404/405 or a token realm
//   denying the source's scope, is logged and the blob uploaded, as docker and containerd do;
//   a registry unavailable after the retries fails the push); else an upload, monolithic below
//   kChunkedAbove, in chunks above.
// - The destination is pushed under its tag ("latest" when none); a destination with a digest
//   must name the image's own manifest.
// - After a push, the origins note the destination repository for every blob.
#pragma once

#include <cstdint>
#include <string>

#include "content/image_store.h"
#include "images/blob_origins.h"
#include "images/transfer.h"
#include "oci/reference.h"
#include "registry/client.h"

namespace kiln::images {

inline constexpr int64_t kChunkedAbove = int64_t{64} << 20;

struct PushOptions {
  int parallel = 4;
  int64_t chunked_above = kChunkedAbove;   // blobs bigger than this go in chunks
  int64_t chunk_size = int64_t{32} << 20;  // bytes per PATCH of a chunked upload
  TransferFn progress;                     // optional
  BlobOrigins* origins = nullptr;          // optional
};

// `image` is a loaded local image; `dest` has registry defaults applied (its domain is
// client.host()). Returns the manifest's descriptor as pushed.
Result<oci::Descriptor> PushImage(registry::Client& client, content::ImageStore& store,
                                  const content::LoadedImage& image, const oci::Reference& dest,
                                  const PushOptions& options = {});

}  // namespace kiln::images
