#include "snapshot/capture.h"

#include <algorithm>

#include "base/clock.h"
#include "snapshot/image_build.h"
#include "snapshot/squash.h"

namespace kiln::snapshot {
namespace {

Result<LayerInfo> PackLayer(const CaptureRequest& req, content::BlobStore& blobs) {
  WriteOptions options;
  options.kind = SourceKind::kOverlayUpper;
  options.compression = req.compression;
  options.exclude = req.exclude;
  Stopwatch watch;
  double last_report = 0;
  options.on_progress = [&](int64_t bytes) {
    if (!req.on_progress || watch.Seconds() - last_report < 1.0) return;
    last_report = watch.Seconds();
    req.on_progress("snapshot: packed " + FormatBytes(bytes) + " in " +
                    FormatDuration(watch.Seconds()));
  };
  if (req.squash_dirs.empty()) return WriteLayerFromDir(req.upper_dir, options, blobs);
  std::vector<std::string> dirs = req.squash_dirs;
  dirs.push_back(req.upper_dir);
  return SquashLayers(dirs, "", options, blobs);
}

// The base as the new image starts from it: all of it, or its first keep_base_layers layers
// (and their history) when a chain is squashed.
ImageDraft BaseDraft(const CaptureRequest& req) {
  ImageDraft draft = DraftFrom(req.base.config, req.base.manifest);
  if (req.squash_dirs.empty()) return draft;
  size_t keep = req.keep_base_layers;
  draft.layers.resize(std::min(keep, draft.layers.size()));
  draft.config.diff_ids.resize(std::min(keep, draft.config.diff_ids.size()));
  size_t layers = 0, cut = 0;
  for (; cut < draft.config.history.size(); ++cut) {
    if (draft.config.history[cut].empty_layer) continue;
    if (layers == keep) break;
    ++layers;
  }
  draft.config.history.resize(cut);
  return draft;
}

Result<oci::Descriptor> BuildImage(const CaptureRequest& req, const LayerInfo& layer,
                                   content::BlobStore& blobs) {
  ImageDraft draft = BaseDraft(req);
  StampConfig(req, draft.config);
  std::string comment = "base " + req.base.descriptor.digest.str();
  if (!req.squash_dirs.empty()) {
    comment += ", squashing its " + std::to_string(req.squash_dirs.size()) + " snapshot layers";
  }
  if (!req.runner_size.empty()) comment += ", runner size " + req.runner_size;
  AddLayer(draft, layer,
           {FormatRfc3339(req.created), "kiln snapshot: " + req.source, comment, false});
  return CommitImage(draft, blobs);
}

}  // namespace

void StampConfig(const CaptureRequest& req, oci::ImageConfig& config) {
  for (const auto& [k, v] : req.labels) config.labels[k] = v;
  config.labels[kLabelBaseDigest] = req.base.descriptor.digest.str();
  config.labels[kLabelSource] = req.source;
  if (!req.runner_size.empty()) config.labels[kLabelRunnerSize] = req.runner_size;
  if (!req.env.empty()) config.env = req.env;
}

Result<CaptureResult> Capture(const CaptureRequest& req, content::BlobStore& blobs) {
  CaptureResult result;
  Stopwatch phase;
  ASSIGN_OR_RETURN(result.layer, PackLayer(req, blobs));
  result.pack_seconds = phase.Seconds();

  phase.Reset();
  ASSIGN_OR_RETURN(result.manifest, BuildImage(req, result.layer, blobs));
  result.build_seconds = phase.Seconds();
  result.squashed = !req.squash_dirs.empty();
  result.size = result.manifest.size + result.layer.descriptor.size;
  size_t kept = result.squashed ? req.keep_base_layers : req.base.manifest.layers.size();
  for (size_t i = 0; i < kept && i < req.base.manifest.layers.size(); ++i) {
    result.size += req.base.manifest.layers[i].size;
  }
  return result;
}

}  // namespace kiln::snapshot
