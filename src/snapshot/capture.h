// Capture (data plane): a sandbox's overlay upper dir becomes a new image over the image the
// sandbox started from. Nothing here names or records the image: images/publish.h does that.
//
// Phases, each timed: PackLayer (upper dir → compressed layer blob, with whiteouts, mount
// targets excluded) → BuildImage (base config + layers + the new layer, history, labels; config
// and manifest blobs). Every blob is in the store when Capture returns; no name points at it yet
// (a kiln killed meanwhile leaves unnamed blobs, which GC removes).
//
// The caller keeps the sandbox still while Capture runs (job finished, or cgroup frozen).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "content/image_store.h"
#include "snapshot/layer_write.h"

namespace kiln::snapshot {

struct CaptureRequest {
  std::string upper_dir;
  std::set<std::string> exclude;  // sandbox paths (no leading '/') not to capture
  content::LoadedImage base;      // the image the new layer goes on
  std::string runner_size;        // "2x8": put in a label; later runners must be at least this big
  std::string source;             // "workflow ci.yml, job setup, run 12"
  // Replaces the config's Env when set (persist-env); empty keeps the base image's Env.
  std::vector<std::string> env;
  // Extra labels for the new image's config (e.g. the chain's root base).
  std::map<std::string, std::string> labels;
  int64_t created = 0;  // unix seconds, for the config and history
  // Squashing a chain: when `squash_dirs` is set, the new image keeps only the base's first
  // `keep_base_layers` layers, and its layers above them (their layer-cache dirs, bottom first,
  // `squash_dirs`) are merged with the upper dir into the one new layer.
  size_t keep_base_layers = 0;
  std::vector<std::string> squash_dirs;
  oci::Compression compression = oci::Compression::kGzip;
  std::function<void(const std::string&)> on_progress;  // human-readable progress lines
};

struct CaptureResult {
  oci::Descriptor manifest;  // the new image's manifest, in the store
  LayerInfo layer;
  int64_t size = 0;       // bytes: manifest + every compressed layer
  bool squashed = false;  // the layer holds squash_dirs as well as the upper dir
  double pack_seconds = 0, build_seconds = 0;
};

Result<CaptureResult> Capture(const CaptureRequest& request, content::BlobStore& blobs);

// What a capture changes in the base's config besides layers and history: the labels below and
// `labels`, and Env when `env` is set. (A pending version's config, before its layer is
// packed, is the base's with these changes: images/pending.h.)
void StampConfig(const CaptureRequest& request, oci::ImageConfig& config);

// Labels kiln puts on captured images.
inline constexpr const char* kLabelBaseDigest = "dev.kiln.base.digest";
inline constexpr const char* kLabelRunnerSize = "dev.kiln.runner.size";
inline constexpr const char* kLabelSource = "dev.kiln.source";

}  // namespace kiln::snapshot
