// One job on the engine, in phases that a front door calls in order:
//
//   PrepareSandbox → (the front door runs its steps in sandbox()) → Snapshot → Publish → TearDown
//
// PrepareSandbox resolves the image (catalogue → store), unpacks its layers into the cache,
// sizes the sandbox (Engine::SizeFor), makes its spec (sandbox_plan.h: the one place) and takes a
// sandbox from the warm pool or starts one. Snapshot and Publish run only for a job that asked
// for a snapshot and whose front door decided it should be taken (a failed or cancelled job makes
// none). TearDown destroys the sandbox whatever happened; the destructor calls it.
//
// A session is used by one thread; sessions of one engine run in parallel.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/version.h"
#include "images/image.h"
#include "jobs/engine.h"
#include "snapshot/capture.h"

namespace kiln::jobs {

struct JobRequest {
  std::string name;   // for people and logs: "ci/build"
  std::string image;  // as the job names it: "toolbox:latest", "debian:bookworm"
  std::string size;   // "" = the engine's default (or the size the image was made on)
  std::vector<runtime::BindMount> mounts;
  std::vector<std::string> disk_dirs;  // see SandboxRequest
  std::string source;                  // recorded with a snapshot: "workflow ci.yml, job x, run 1"
  // The network the sandbox joins: "" = the engine's job_network; "none" = loopback only.
  std::string network;
  std::function<void(const std::string&)> log;  // one line of the job's log
  // Whether the warm pool of this image and size is refilled for later jobs (PoolService); a
  // sandbox of an image no later job runs (a build step's) asks for none.
  bool refill_pool = true;
};

struct SnapshotRequest {
  std::string image_name;        // a valid repository name
  catalog::VersionSpec version;  // "2.*" → the next major
  // persist-env: the job's final environment goes into the image, filtered by
  // images::PersistableEnv with these secrets and masks (the names left out are logged).
  bool persist_env = false;
  std::vector<std::string> final_env, secret_names, masks;
};

class JobSession {
 public:
  JobSession(Engine& engine, JobRequest request);
  ~JobSession();
  JobSession(const JobSession&) = delete;
  JobSession& operator=(const JobSession&) = delete;

  Status PrepareSandbox();
  // After PrepareSandbox succeeded.
  runtime::Sandbox& sandbox() { return *sandbox_; }
  const images::Image& image() const { return image_; }
  const runtime::Size& size() const { return size_; }
  bool has_sandbox() const { return sandbox_ != nullptr; }

  // Kills what the job left running, checks the disk cap once more, and prepares the capture.
  // When the job ran on a pending version, waits for it to be whole (its blobs are the new
  // image's base). The quick way (EngineOptions::background_pack, a sandbox with an upper dir,
  // no squash) stops there; else the upper dir is packed into a layer and the image built now
  // (snapshot/capture.h); past max_layers the chain above the image's original base is squashed
  // into that one layer. Nothing is visible yet.
  Status Snapshot(const SnapshotRequest& request);
  // After Snapshot: makes the upper dir the new layer's cache entry (which ends the sandbox),
  // records the version (now visible, `latest`) and applies the image's retention policy. The
  // quick way records it pending (images/pending.h) and gives it to the engine's packer.
  Result<catalog::VersionRecord> Publish();
  // The snapshot action step: the sandbox as it is now (frozen while its changes are packed)
  // becomes an image over the job's image, named `name` in the store (a reference as written);
  // the job goes on in the same sandbox. Not a catalogue version. A chain past max_layers is
  // squashed as Snapshot's is.
  Result<content::LoadedImage> CaptureNow(const std::string& name);
  // The same capture, recorded as the next version of `image_name` in the catalogue (latest;
  // retention applied): what kiln-snapshot asks for in a `kiln run` step (snapshot_handler.h).
  Result<catalog::VersionRecord> CaptureVersion(const std::string& image_name,
                                                const catalog::VersionSpec& version);
  // Destroys the sandbox; idempotent.
  Status TearDown();

 private:
  void Log(const std::string& line) const;
  Status WaitForWholeImage();
  // The chain plan (images/chain.h) for a capture over this job's image: the root-layers
  // label, and past max_layers the image's snapshot layers squashed with the job's changes
  // over the original base (logged). True when it squashes. Snapshot and CaptureNow share it.
  bool PlanLayers(const std::string& image_name, snapshot::CaptureRequest& c);
  // The sandbox as it is now, frozen while its changes are packed (CaptureNow, CaptureVersion).
  Result<snapshot::CaptureResult> CaptureFrozen(const std::string& name);
  Result<catalog::VersionRecord> PublishPending();

  Engine& engine_;
  JobRequest request_;
  images::Image image_;
  runtime::Size size_;
  std::unique_ptr<runtime::Sandbox> sandbox_;
  // Set by Snapshot, used by Publish.
  std::optional<SnapshotRequest> snapshot_;
  std::optional<snapshot::CaptureResult> captured_;
  std::optional<snapshot::CaptureRequest> pending_;  // the quick way: captured in the background
  std::set<std::string> excluded_;
  double snapshot_seconds_ = 0;
};

}  // namespace kiln::jobs
