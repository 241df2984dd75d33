// TEMPORARY (engine branch): replaced by the ref branch's squash.h at merge.
#pragma once
#include <string>
#include <vector>
#include "snapshot/layer_write.h"
namespace kiln::snapshot {
Result<LayerInfo> WriteSquashedLayer(const std::vector<std::string>& dirs, const WriteOptions& options,
                                     content::BlobStore& blobs);
}
