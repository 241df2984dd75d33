// overlayfs mounts for sandboxes.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::snapshot {

// overlayfs's own cap on lower layers (OVL_MAX_STACK).
inline constexpr size_t kMaxOverlayLowers = 500;

enum class OverlayApi {
  kAuto,    // the new mount API when the kernel takes "lowerdir+" (Linux >= 6.8), else kLegacy
  kLegacy,  // mount(2) with one options string (tests use this to cover older kernels)
};

// Mounts an overlay at `target`: `lowers` bottom first (overlay wants them top first; this
// function reverses them), `upper` and `work` on the same filesystem. With no lowers, an empty
// read-only lower is used. At most kMaxOverlayLowers lowers. With the new mount API (fsopen,
// one fsconfig "lowerdir+" per layer, fsmount, move_mount) the count is the only limit; with
// mount(2) the options must fit in a page, so the lowers are passed relative to their common
// parent (a mount made on a helper thread with its own cwd, never the process's), which fits
// about 60 layer-cache dirs; more is InvalidArgument saying so. With the new mount API the
// overlay is `volatile`: unmounting it does not sync the upper dir's filesystem (a caller that
// keeps the upper dir syncs it itself). Safe to call from many threads.
Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target,
                    OverlayApi api = OverlayApi::kAuto);
// Lazy-detaches the mount at `target`; Ok if nothing is mounted there.
Status Unmount(const std::string& target);
// True if `path` is a mount point.
bool IsMountPoint(const std::string& path);

}  // namespace kiln::snapshot
