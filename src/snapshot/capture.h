// Capture: a sandbox's overlay upper dir becomes a new version of a custom image.
//
// Phases, each timed: PackLayer (upper dir → compressed layer blob, with whiteouts, mount
// targets excluded) → BuildImage (base config + layers + the new layer, history, labels; config
// and manifest blobs) → Record (catalog version; the only step that makes the image visible).
// A kiln killed in any phase leaves either no version or a complete one: blobs are written
// before the catalog row, and the version number is allocated in the row's transaction.
//
// The caller keeps the sandbox still while Capture runs (job finished, or cgroup frozen), and may
// afterwards move the upper dir into the layer cache (LayerCache::Adopt with the returned
// diff ID) once the overlay is unmounted, so the next job starts without unpacking.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "content/image_store.h"
#include "snapshot/layer_write.h"

namespace kiln::snapshot {

struct CaptureRequest {
  std::string upper_dir;
  std::set<std::string> exclude;   // sandbox paths (no leading '/') not to capture
  content::LoadedImage base;       // the image the sandbox started from
  std::string image_name;          // custom image name, e.g. "ci-tools"
  catalog::VersionSpec version;    // from `snapshot: {version: "2.*"}`
  std::string runner_size;         // "2x8": recorded; later runners must be at least this big
  std::string source;              // "workflow ci.yml, job setup, run 12"
  // Replaces the config's Env when set (persist-env); empty keeps the base image's Env.
  std::vector<std::string> env;
  oci::Compression compression = oci::Compression::kGzip;
  std::function<void(const std::string&)> on_progress;  // human-readable progress lines
};

struct CaptureResult {
  catalog::VersionRecord version;
  LayerInfo layer;
  double pack_seconds = 0, build_seconds = 0, record_seconds = 0;
};

Result<CaptureResult> Capture(const CaptureRequest& request, content::ImageStore& store,
                              catalog::Catalog& catalog);

// Labels kiln puts on captured images.
inline constexpr const char* kLabelBaseDigest = "dev.kiln.base.digest";
inline constexpr const char* kLabelRunnerSize = "dev.kiln.runner.size";
inline constexpr const char* kLabelSource = "dev.kiln.source";

}  // namespace kiln::snapshot
