// Removing custom-image versions, and retention across images.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kiln::images {

// "NAME" or "NAME:*": every version of NAME; "NAME:X.Y.Z" or "NAME:latest": that one. All or
// nothing: a version pinned by a runner refuses the whole removal (FailedPrecondition naming the
// runner) unless `force`, before anything changes. NotFound when NAME is no custom image (the
// caller may then try the store's names). Returns what was removed.
struct Removal {
  std::string image;
  bool whole_image = false;  // every version (NAME, NAME:*)
  std::vector<catalog::VersionRecord> removed;
};
Result<Removal> RemoveVersions(catalog::Catalog& catalog, const std::string& ref, bool force);

// Applies the retention policy of `image` ("" = of every custom image); returns what it removed.
Result<std::vector<catalog::VersionRecord>> PruneVersions(catalog::Catalog& catalog,
                                                          const std::string& image, int64_t now);

}  // namespace kiln::images
