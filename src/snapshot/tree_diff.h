// What changed between two images, file by file, from their unpacked layers in the layer cache
// (overlay whiteouts and opaque dirs applied): `kiln image diff A B`, like `docker diff`.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::snapshot {

struct PathChange {
  char kind;         // 'A' added, 'C' changed, 'D' deleted
  std::string path;  // "/etc/passwd"
};

// Compares the merged trees of two stacks of layer dirs (bottom first). A file counts as changed
// when its type, mode, owner, size, link target or content differ (content is compared only when
// everything else is equal and the two are not the same inode). Directories are reported when
// added, deleted, or when their mode or owner changed. Sorted by path.
Result<std::vector<PathChange>> DiffLayerStacks(const std::vector<std::string>& a,
                                                const std::vector<std::string>& b);

}  // namespace kiln::snapshot
