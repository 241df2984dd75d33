// overlayfs mounts for sandboxes.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::snapshot {

// Mounts an overlay at `target`: `lowers` bottom first (overlay wants them top first; this
// function reverses them), `upper` and `work` on the same filesystem. With no lowers, an empty
// read-only lower is used. Long lower lists are passed relative to their common parent so the
// mount data fits in a page.
Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target);
// Lazy-detaches the mount at `target`; Ok if nothing is mounted there.
Status Unmount(const std::string& target);
// True if `path` is a mount point.
bool IsMountPoint(const std::string& path);

}  // namespace kiln::snapshot
