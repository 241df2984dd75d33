// Pulling an image from a registry into the local store and the layer cache.
//
// Contract:
// - The manifest `ref` names (an index: the host platform's manifest) is fetched, then its
//   config (digest-checked, parsed: one diff ID per layer), then its layers in parallel, each
//   streamed in one pass into the blob store (the digest checked at commit: a wrong digest is
//   DataLoss naming it) and, through a pipe, into the layer cache's unpack (the diff ID
//   checked; the layer is renamed into the cache only once the blob's digest is right).
// - Each blob's declared size bounds what is read of it (a size of 0 too); a config declared
//   over 16 MiB is InvalidArgument before it is fetched. A layer whose unpack fails (the cap, a
//   bad tar) stops its download at once, and the other layers' downloads stop too.
// - A blob the store holds is not downloaded (its layer is unpacked from the store if the cache
//   lacks it); a layer whose diff ID the cache holds is downloaded but not unpacked again.
// - All or nothing (ImageStore::PutImage): the image is named `local_name` only when every blob
//   is in the store; a failed pull removes the blobs it added and leaves no name (unless
//   another user of the store may rely on them: see PutImage).
// - Blob origins (blob_origins.h, optional) note the repository for later mounts.
// - When the reference named an index, the local name's descriptor carries the index's digest
//   as annotation kAnnotationPulledDigest, so that a later HEAD of the tag can tell "unchanged".
#pragma once

#include <string>

#include "content/image_store.h"
#include "images/blob_origins.h"
#include "images/transfer.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

inline constexpr const char* kAnnotationPulledDigest = "dev.kiln.pulled.digest";

struct PullOptions {
  int parallel = 4;                // layers in flight at once
  TransferFn progress;             // optional
  BlobOrigins* origins = nullptr;  // optional
};

// `ref` is the reference with registry defaults applied (its domain is client.host()); the
// image is named `local_name` in the store (NormalizeImageName form: the reference as written).
// Returns the manifest's descriptor.
Result<oci::Descriptor> PullImage(registry::Client& client, content::ImageStore& store,
                                  snapshot::LayerCache& layers, const oci::Reference& ref,
                                  const std::string& local_name, const PullOptions& options = {});

// The manifest (not an index) `ref` names for the host platform: the index resolved through
// the client. Returns its descriptor and bytes; `top` (optional) gets the digest `ref` itself
// resolved to (the index's, or the manifest's).
Result<registry::FetchedManifest> FetchPlatformManifest(registry::Client& client,
                                                        const oci::Reference& ref,
                                                        oci::Digest* top = nullptr);

}  // namespace kiln::images
