// One blob of a pull (internal to pull.cc): downloaded into the blob store, and a layer
// unpacked into the layer cache in the same pass.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "content/blob_store.h"
#include "images/transfer.h"
#include "registry/client.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

struct BlobFetch {
  registry::Client* client = nullptr;
  std::string repo;
  content::BlobStore* blobs = nullptr;
  TransferFn progress;                  // serialised by the caller; may be empty
  std::atomic<bool>* stop = nullptr;    // set when another blob failed: give up
};

// Downloads `blob` into the store, committed only when its digest and size are right
// (DataLoss naming the digest otherwise). With `unpack_as` (a layer's diff ID), the bytes go
// through a pipe into cache->UnpackStream at the same time; the layer lands in the cache only
// when the blob committed.
Status FetchBlob(const BlobFetch& fetch, const oci::Descriptor& blob, const std::string& kind,
                 snapshot::LayerCache* cache = nullptr,
                 const std::optional<oci::Digest>& unpack_as = std::nullopt);

}  // namespace kiln::images
