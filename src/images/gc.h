// Garbage collection of images: blobs that no image name or catalogue version reaches, and
// layer-cache entries that no such image and no existing sandbox uses.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "content/image_store.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

struct GcReport {
  int64_t blob_bytes = 0;  // bytes of blobs deleted
};

// Roots: every name in the store and every catalogue version. `layer_dirs_in_use` are the lower
// dirs of every sandbox that exists (the runtime knows them: Runtime::LayerDirsInUse), whose
// layers stay cached even when no image reaches them any more. Blobs younger than the store's
// grace period stay (an import or snapshot may not have named them yet). A pending version keeps
// its base image and its keyed layer dir; the caller first waits for the pending versions its
// own process is making whole.
Result<GcReport> CollectGarbage(content::ImageStore& store, catalog::Catalog& catalog,
                                snapshot::LayerCache& layers,
                                const std::vector<std::string>& layer_dirs_in_use);

}  // namespace kiln::images
