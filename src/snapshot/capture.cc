#include "snapshot/capture.h"

#include "base/clock.h"
#include "snapshot/image_build.h"

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
  return WriteLayerFromDir(req.upper_dir, options, blobs);
}

Result<oci::Descriptor> BuildImage(const CaptureRequest& req, const LayerInfo& layer,
                                   int64_t now, content::BlobStore& blobs) {
  ImageDraft draft = DraftFrom(req.base.config, req.base.manifest);
  draft.config.labels[kLabelBaseDigest] = req.base.descriptor.digest.str();
  draft.config.labels[kLabelSource] = req.source;
  if (!req.runner_size.empty()) draft.config.labels[kLabelRunnerSize] = req.runner_size;
  if (!req.env.empty()) draft.config.env = req.env;
  std::string comment = "base " + req.base.descriptor.digest.str();
  if (!req.runner_size.empty()) comment += ", runner size " + req.runner_size;
  AddLayer(draft, layer, {FormatRfc3339(now), "kiln snapshot: " + req.source, comment, false});
  return CommitImage(draft, blobs);
}

}  // namespace

Result<CaptureResult> Capture(const CaptureRequest& req, content::ImageStore& store,
                              catalog::Catalog& catalog) {
  CaptureResult result;
  Stopwatch phase;
  ASSIGN_OR_RETURN(result.layer, PackLayer(req, store.blobs()));
  result.pack_seconds = phase.Seconds();

  phase.Reset();
  int64_t now = Clock::Real()->NowUnix();
  ASSIGN_OR_RETURN(oci::Descriptor manifest, BuildImage(req, result.layer, now, store.blobs()));
  result.build_seconds = phase.Seconds();

  phase.Reset();
  catalog::NewVersion nv;
  nv.manifest = manifest.digest;
  nv.size = manifest.size + result.layer.descriptor.size;
  for (const auto& l : req.base.manifest.layers) nv.size += l.size;
  nv.created = now;
  nv.runner_size = req.runner_size;
  nv.source = req.source;
  auto version = catalog.AddVersion(req.image_name, req.version, nv);
  if (!version.ok()) return version.status().WithContext("record " + req.image_name);
  result.version = *version;
  result.record_seconds = phase.Seconds();
  return result;
}

}  // namespace kiln::snapshot
