// A job on the engine: PrepareSandbox → (steps) → Snapshot → Publish → TearDown.
#include "jobs/session.h"

#include <csignal>

#include "base/fs.h"
#include "images/chain.h"
#include "images/persist_env.h"
#include "images/publish.h"
#include "jobs/pack_service.h"
#include "jobs/pool_service.h"
#include "jobs/sandbox_plan.h"

namespace kiln::jobs {
namespace {

// Mount targets, and their parents that the base image does not have (the runtime made them):
// not part of the job's filesystem, so not part of its snapshot.
std::set<std::string> Excludes(const std::vector<runtime::BindMount>& mounts,
                               const std::vector<std::string>& lower_dirs) {
  std::set<std::string> out;
  for (const auto& m : mounts) {
    std::string p = m.destination;
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    while (!p.empty()) {
      bool in_base = false;
      for (const auto& dir : lower_dirs) in_base |= PathExists(JoinPath(dir, p));
      if (in_base) break;
      out.insert(p);
      size_t slash = p.rfind('/');
      p = slash == std::string::npos ? "" : p.substr(0, slash);
    }
  }
  return out;
}

// Processes a job left in the background could grow its dirs after the last step's disk check:
// kill them (the sandbox's init stays), wait until none runs (freeze), and look once more, so
// what is packed is what was measured.
Status StopAndCheckDisk(runtime::Sandbox& sandbox) {
  RETURN_IF_ERROR(sandbox.Signal(SIGKILL));
  RETURN_IF_ERROR(sandbox.Freeze());
  Status disk = sandbox.CheckDisk();
  RETURN_IF_ERROR(sandbox.Thaw());
  return disk;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

JobSession::JobSession(Engine& engine, JobRequest request)
    : engine_(engine), request_(std::move(request)) {}

JobSession::~JobSession() { (void)TearDown(); }

void JobSession::Log(const std::string& line) const {
  if (request_.log) request_.log(line);
}

Status JobSession::PrepareSandbox() {
  ASSIGN_OR_RETURN(images::Resolver * resolver, engine_.Resolver());
  ASSIGN_OR_RETURN(image_, resolver->Prepare(request_.image, request_.log));
  auto size = engine_.SizeFor(request_.size, image_.generated_on_size());
  if (!size.ok()) return size.status().WithContext("image " + image_.ref);
  size_ = *size;
  SandboxRequest sr;
  sr.image = &image_;
  sr.size = size_;
  sr.name = request_.name;
  sr.mounts = request_.mounts;
  sr.disk_dirs = request_.disk_dirs;
  sr.network = request_.network.empty() ? engine_.options().job_network : request_.network;
  runtime::SandboxSpec spec = MakeSandboxSpec(sr);
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_.Runtime());
  ASSIGN_OR_RETURN(sandbox_, rt->Create(spec));
  if (request_.refill_pool) engine_.pool().NoteUsed(spec);
  return Status::Ok();
}

// A job that ran on a pending version snapshots over it: its blobs must exist first. The
// sandbox's lower dirs stay as they are (the keyed dir never moves).
Status JobSession::WaitForWholeImage() {
  if (!image_.version || !image_.version->is_pending()) return Status::Ok();
  Log("📸  waiting for " + image_.ref + " to be whole (its layer blob is being written)");
  ASSIGN_OR_RETURN(catalog::VersionRecord v, engine_.packer().MakeWholeNow(*image_.version));
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_.Store());
  auto loaded = store->Load(v.manifest.str());
  if (!loaded.ok()) return loaded.status().WithContext("image " + image_.ref);
  image_.loaded = std::move(*loaded);
  image_.version = v;
  return Status::Ok();
}

bool JobSession::PlanLayers(const std::string& image_name, snapshot::CaptureRequest& c) {
  images::ChainPlan chain = images::PlanChain(image_, engine_.options().max_layers);
  c.labels[images::kLabelRootLayers] = std::to_string(chain.root_layers);
  if (!chain.squash) return false;
  c.keep_base_layers = chain.root_layers;
  c.squash_dirs.assign(image_.lower_dirs.begin() + static_cast<long>(chain.root_layers),
                       image_.lower_dirs.end());
  Log("📸  " + image_name + " would have " +
      std::to_string(image_.loaded.manifest.layers.size() + 1) + " layers (max_layers " +
      std::to_string(engine_.options().max_layers) + "): its " +
      std::to_string(c.squash_dirs.size()) +
      " snapshot layers and this job's changes are "
      "squashed into one layer over the original base");
  return true;
}

Status JobSession::Snapshot(const SnapshotRequest& req) {
  RETURN_IF_ERROR(StopAndCheckDisk(*sandbox_));
  Stopwatch watch;  // the capture, as the log reports it: from here to the catalogue row
  RETURN_IF_ERROR(WaitForWholeImage());
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_.Store());
  snapshot::CaptureRequest c;
  c.upper_dir = sandbox_->UpperDir();
  excluded_ = Excludes(request_.mounts, image_.lower_dirs);
  c.exclude = excluded_;
  c.base = image_.loaded;
  c.runner_size = size_.name;
  c.source = request_.source;
  c.created = engine_.clock().NowUnix();
  if (req.persist_env) {
    std::vector<std::string> left_out;
    c.env = images::PersistableEnv(image_.config().env, req.final_env, req.secret_names, req.masks,
                                   &left_out);
    if (!left_out.empty()) {
      Log("📸  persist-env left out " + Joined(left_out) +
          " (a secret's name, a name that looks secret, or a value holding a secret or "
          "::add-mask:: value)");
    }
  }
  bool squash = PlanLayers(req.image_name, c);
  c.compression = engine_.options().layer_compression;
  c.on_progress = request_.log;
  snapshot_ = req;
  if (!squash && engine_.options().background_pack && !c.upper_dir.empty()) {
    pending_ = c;
    snapshot_seconds_ = watch.Seconds();
    return Status::Ok();
  }
  Log("📸  snapshot " + req.image_name + ": capturing");
  auto ingest = store->BeginIngest();  // a failed pull meanwhile leaves its blobs alone
  ASSIGN_OR_RETURN(captured_, snapshot::Capture(c, *ingest));
  snapshot_seconds_ = watch.Seconds();
  return Status::Ok();
}

Result<snapshot::CaptureResult> JobSession::CaptureFrozen(const std::string& name) {
  if (!sandbox_) return FailedPrecondition("snapshot " + name + ": the job has no sandbox");
  RETURN_IF_ERROR(WaitForWholeImage());
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_.Store());
  snapshot::CaptureRequest c;
  c.upper_dir = sandbox_->UpperDir();
  c.exclude = Excludes(request_.mounts, image_.lower_dirs);
  c.base = image_.loaded;
  c.runner_size = size_.name;
  c.source = request_.source;
  c.created = engine_.clock().NowUnix();
  (void)PlanLayers(name, c);
  c.compression = engine_.options().layer_compression;
  c.on_progress = request_.log;
  Log("📸  snapshot " + name + ": capturing");
  RETURN_IF_ERROR(sandbox_->Freeze());
  auto ingest = store->BeginIngest();  // a failed pull meanwhile leaves its blobs alone
  auto captured = snapshot::Capture(c, *ingest);
  ingest.reset();
  Status thawed = sandbox_->Thaw();
  if (!captured.ok()) return captured.status().WithContext("snapshot " + name);
  RETURN_IF_ERROR(thawed.WithContext("thaw the sandbox after snapshot " + name));
  return captured;
}

Result<content::LoadedImage> JobSession::CaptureNow(const std::string& name) {
  ASSIGN_OR_RETURN(snapshot::CaptureResult captured, CaptureFrozen(name));
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_.Store());
  RETURN_IF_ERROR(store->Tag(name, captured.manifest).WithContext("snapshot " + name));
  return store->Load(name);
}

Result<catalog::VersionRecord> JobSession::CaptureVersion(const std::string& image_name,
                                                          const catalog::VersionSpec& version) {
  ASSIGN_OR_RETURN(snapshot::CaptureResult captured, CaptureFrozen(image_name));
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_.Catalog());
  images::Publication p{image_name, version, size_.name, request_.source,
                        engine_.clock().NowUnix()};
  ASSIGN_OR_RETURN(catalog::VersionRecord v, images::RecordVersion(*cat, p, captured));
  Log("📸  " + image_name + ":" + v.version.ToString() + " (latest) " + v.manifest.Short());
  auto pruned = images::ApplyRetention(*cat, image_name, engine_.clock().NowUnix());
  if (pruned.ok()) {
    for (const auto& x : *pruned)
      Log("📸  retention removed " + image_name + ":" + x.version.ToString());
  }
  return v;
}

Result<catalog::VersionRecord> JobSession::PublishPending() {
  Stopwatch watch;
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_.Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, engine_.Layers());
  const snapshot::CaptureRequest& c = *pending_;
  std::string key = snapshot::LayerCache::NewKey();
  std::string staged = layers->DirFor(key) + ".adopt";
  RETURN_IF_ERROR(sandbox_->DestroyKeepingUpper(staged).WithContext("snapshot"));
  RETURN_IF_ERROR(images::AdoptKeyedLayer(*layers, key, staged, excluded_).WithContext("snapshot"));
  images::PendingSpec spec{c.base.descriptor.digest,
                           key,
                           c.runner_size,
                           c.source,
                           c.env,
                           c.labels,
                           c.created,
                           c.compression,
                           images::CurrentBootId()};
  images::Publication p{snapshot_->image_name, snapshot_->version, size_.name, request_.source,
                        engine_.clock().NowUnix()};
  ASSIGN_OR_RETURN(catalog::VersionRecord v, images::RecordPendingVersion(*cat, p, spec));
  engine_.packer().Submit(v);
  Log("📸  " + p.image_name + ":" + v.version.ToString() + " (latest) usable in " +
      FormatDuration(snapshot_seconds_ + watch.Seconds()) +
      "; its layer blob is being written in the background");
  auto pruned = images::ApplyRetention(*cat, p.image_name, engine_.clock().NowUnix());
  if (pruned.ok()) {
    for (const auto& x : *pruned)
      Log("📸  retention removed " + p.image_name + ":" + x.version.ToString());
  }
  return v;
}

Result<catalog::VersionRecord> JobSession::Publish() {
  if (pending_) return PublishPending();
  Stopwatch watch;
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_.Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, engine_.Layers());
  images::Publication p{snapshot_->image_name, snapshot_->version, size_.name, request_.source,
                        engine_.clock().NowUnix()};
  ASSIGN_OR_RETURN(catalog::VersionRecord v, images::RecordVersion(*cat, p, *captured_));
  double record_seconds = watch.Seconds();
  // The upper dir already is the new layer, unpacked: make it the cache entry (unless squashed:
  // then the layer holds more than the upper dir, and the next job unpacks it).
  const oci::Digest& diff_id = captured_->layer.diff_id;
  if (captured_->squashed) {
    (void)TearDown();
  } else {
    std::string staged = layers->PathFor(diff_id) + ".adopt";
    Status kept = sandbox_->DestroyKeepingUpper(staged);
    if (kept.ok()) kept = images::AdoptLayer(*layers, diff_id, staged, excluded_);
    if (!kept.ok()) Log("📸  (the next job will unpack the layer: " + kept.message() + ")");
  }
  const snapshot::CaptureResult& r = *captured_;
  Log("📸  " + p.image_name + ":" + v.version.ToString() + " (latest) " + v.manifest.Short() +
      ", layer " + FormatBytes(r.layer.descriptor.size) + " (" +
      FormatBytes(r.layer.uncompressed_bytes) + " unpacked, " + std::to_string(r.layer.entries) +
      " entries) in " + FormatDuration(snapshot_seconds_ + watch.Seconds()) + " [pack " +
      FormatDuration(r.pack_seconds) + ", image " + FormatDuration(r.build_seconds) + ", record " +
      FormatDuration(record_seconds) + "]");
  auto pruned = images::ApplyRetention(*cat, p.image_name, engine_.clock().NowUnix());
  if (pruned.ok()) {
    for (const auto& x : *pruned)
      Log("📸  retention removed " + p.image_name + ":" + x.version.ToString());
  }
  return v;
}

Status JobSession::TearDown() {
  if (!sandbox_) return Status::Ok();
  Status s = sandbox_->Destroy();
  return s;
}

}  // namespace kiln::jobs
