#include "snapshot/squash.h"
namespace kiln::snapshot {
Result<LayerInfo> WriteSquashedLayer(const std::vector<std::string>&, const WriteOptions&, content::BlobStore&) {
  return FailedPrecondition("squash: not merged yet");
}
}
