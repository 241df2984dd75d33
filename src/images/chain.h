// Snapshot chains: each snapshot adds a layer over the image it started from, so an image
// snapshotted nightly grows a layer a night. A chain is kept bounded: the snapshot that would
// give an image more than `max_layers` layers is written instead as ONE layer (the chain's
// snapshot layers and the new changes, squashed) over the chain's original base.
#pragma once

#include <cstddef>
#include <string>

#include "images/image.h"

namespace kiln::images {

// The config label recording how many layers the chain's original base has (set on the first
// snapshot, inherited by later ones).
inline constexpr const char* kLabelRootLayers = "dev.kiln.root.layers";

struct ChainPlan {
  size_t root_layers = 0;   // layers of the original base: kept as they are
  bool squash = false;      // true: layers above root_layers are merged into the new layer
  size_t layers_after = 0;  // how many layers the new image will have
};

// For a snapshot of a sandbox that started from `base`. The original base's layer count is the
// label above, else (images made before it) the layers below the first "kiln snapshot" history
// entry, else all of them.
ChainPlan PlanChain(const Image& base, int max_layers);

}  // namespace kiln::images
