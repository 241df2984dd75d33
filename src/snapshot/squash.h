// Squashing: several layers of the layer cache become one layer blob.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "content/blob_store.h"
#include "snapshot/layer_write.h"

namespace kiln::snapshot {

// Writes ONE layer to `store` that, stacked on whatever lies below `layer_dirs`, gives the same
// tree as `layer_dirs` stacked there (bottom first). Each dir is in the layer cache's on-disk
// form, an overlayfs upper dir: a whiteout is a 0/0 character device, an opaque directory has
// xattr trusted.overlay.opaque="y" (LayerCache, ApplyLayer, a sandbox's upper dir).
//
// The layers are merged into a scratch dir `<scratch_parent>/.tmp-squash-XXXXXX-<pid>` (so
// LayerCache::Prune sweeps one a killed kiln left), which must be on the same filesystem as the
// layer dirs: every non-directory (file, symlink, device, whiteout) is hard-linked, never
// copied, and directories are made anew with the mode, owner, times and xattrs of the topmost
// layer that has them. Going up the stack, at each path:
//   - a whiteout replaces whatever is merged there and stays a whiteout (it hides what lies
//     below the stack);
//   - an opaque dir replaces the merged dir and stays opaque;
//   - a dir over a merged dir merges into it (and the merged dir stays opaque if it was);
//   - a dir over a merged non-dir or whiteout replaces it and becomes opaque (the non-dir hid
//     the lower tree, so must the dir);
//   - any non-dir replaces what is merged there (with everything below it).
// Hard links within one layer stay hard links. The result is written with
// WriteLayerFromDir(kind = kOverlayUpper; the other fields of `options` are used as given). The
// layer dirs are only read. The scratch dir is removed before returning, on success or error.
// An empty `scratch_parent` means the directory holding layer_dirs.front(). InvalidArgument for
// no layers; FailedPrecondition when the scratch dir is on another filesystem (EXDEV).
Result<LayerInfo> SquashLayers(const std::vector<std::string>& layer_dirs,
                               const std::string& scratch_parent, const WriteOptions& options,
                               content::BlobStore& store);

}  // namespace kiln::snapshot
