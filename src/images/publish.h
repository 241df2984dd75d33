// Publishing a capture (snapshot/capture.h) as the next version of a custom image, in phases:
// RecordVersion (the catalogue row: the only step that makes the image visible; the version
// number is allocated in the row's transaction) → AdoptLayer (the sandbox's former upper dir
// becomes the layer-cache entry, so the next job starts without unpacking) → ApplyRetention.
// Every blob of the image is in the store before RecordVersion is called.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "images/pending.h"
#include "snapshot/capture.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

struct Publication {
  std::string image_name;        // "ci-tools": a valid repository name
  catalog::VersionSpec version;  // from `snapshot: {version: "2.*"}`
  std::string runner_size;       // the size the image was made on
  std::string source;            // "workflow ci.yml, job setup, run 12"
  int64_t created = 0;           // unix seconds
};

// Records `captured` as the next version of `p.image_name` and moves `latest` to it.
Result<catalog::VersionRecord> RecordVersion(catalog::Catalog& catalog, const Publication& p,
                                             const snapshot::CaptureResult& captured);

// Moves `staged_dir` (an overlay upper dir holding exactly the captured layer, once the overlay
// is unmounted; same filesystem as the cache) into the layer cache as `diff_id`, after removing
// the `exclude` paths (mount targets, which the layer does not hold) and syncing it (sandbox
// overlays are volatile: snapshot/overlay.h). On failure the next job
// unpacks the layer instead; the image is whole either way.
Status AdoptLayer(snapshot::LayerCache& layers, const oci::Digest& diff_id,
                  const std::string& staged_dir, const std::set<std::string>& exclude);

// The quick way (images/pending.h): records a pending version whose blobs are written later.
Result<catalog::VersionRecord> RecordPendingVersion(catalog::Catalog& catalog, const Publication& p,
                                                    const PendingSpec& spec);

// Moves `staged_dir` (an overlay upper dir, once the overlay is unmounted; same filesystem as the
// cache) into the layer cache as the keyed dir `key`, after removing the `exclude` paths. Not
// synced: MakeWhole syncs it in the background (images/pending.h).
Status AdoptKeyedLayer(snapshot::LayerCache& layers, const std::string& key,
                       const std::string& staged_dir, const std::set<std::string>& exclude);

// Deletes the versions of `image_name` outside its retention policy (never `latest`, never a
// pinned version); returns them.
Result<std::vector<catalog::VersionRecord>> ApplyRetention(catalog::Catalog& catalog,
                                                           const std::string& image_name,
                                                           int64_t now);

}  // namespace kiln::images
