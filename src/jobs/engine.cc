#include "jobs/engine.h"

#include <fcntl.h>

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/owner_lock.h"
#include "images/pending.h"
#include "jobs/pack_service.h"
#include "jobs/pool_service.h"

namespace kiln::jobs {
namespace {

// Logs what a sweep removed; a failure is a warning (a stuck leftover must not stop kiln).
SweepCount LogSweep(const Result<SweepCount>& sweep, const std::string& what) {
  SweepCount count = sweep.ok() ? *sweep : SweepCount{0, 0, sweep.status()};
  if (count.entries > 0) {
    LogInfo("removed " + std::to_string(count.entries) + " " + what + " (" +
            FormatBytes(static_cast<uint64_t>(count.bytes)) + ") left by a killed kiln");
  }
  if (!count.failed.ok()) {
    LogWarn("could not remove all " + what + " left by a killed kiln: " + count.failed.message());
  }
  return count;
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      runtime_(std::move(options_.runtime)),
      resolver_(std::move(options_.resolver)),
      pool_(std::make_unique<PoolService>(this, options_.warm_pool)),
      pack_(std::make_unique<PackService>(this)) {}

Engine::~Engine() {
  pack_.reset();  // waits: every version this process published is whole when it ends
  pool_->Refill();
  pool_.reset();
  if (!runs_dir_.empty()) (void)RemoveTree(runs_dir_);
}

Status Engine::OpenStoreLocked() {
  if (store_) return Status::Ok();
  ASSIGN_OR_RETURN(store_, content::ImageStore::Open(JoinPath(state_dir(), "oci")));
  SweepCount partial = LogSweep(store_->blobs().SweepTemp(), "partial blob(s)");
  swept_.partial_blobs += partial.entries;
  swept_.bytes += partial.bytes;
  return Status::Ok();
}

Result<content::ImageStore*> Engine::Store() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(OpenStoreLocked());
  return store_.get();
}

Result<snapshot::LayerCache*> Engine::Layers() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!layers_) {
    RETURN_IF_ERROR(OpenStoreLocked());
    ASSIGN_OR_RETURN(auto cache,
                     snapshot::LayerCache::Open(JoinPath(state_dir(), "layers"), &store_->blobs(),
                                                options_.max_layer_unpacked));
    layers_ = std::make_unique<snapshot::LayerCache>(std::move(cache));
  }
  return layers_.get();
}

Result<catalog::Catalog*> Engine::Catalog() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!catalog_) {
    RETURN_IF_ERROR(MakeDirs(state_dir(), 0711));
    std::string url =
        options_.catalog_url.empty() ? JoinPath(state_dir(), "kiln.db") : options_.catalog_url;
    ASSIGN_OR_RETURN(catalog_, catalog::OpenCatalog(url));
  }
  return catalog_.get();
}

Status Engine::OpenRuntimeLocked() {
  if (!runtime_) {
    runtime::RuntimeOptions o;
    o.state_dir = state_dir();
    o.init_path = options_.init_path;
    ASSIGN_OR_RETURN(runtime_, runtime::NewCrunRuntime(o));
  }
  if (runtime_swept_) return Status::Ok();
  runtime_swept_ = true;
  ASSIGN_OR_RETURN(int swept, runtime_->SweepOrphans());
  if (swept > 0)
    LogInfo("removed " + std::to_string(swept) + " sandbox(es) left by an earlier kiln");
  swept_.sandboxes += swept;
  // After the sandboxes: a dead kiln's jobs no longer run in its run dir.
  SweepCount runs = LogSweep(SweepUnowned(JoinPath(state_dir(), "runs")), "run dir(s)");
  swept_.runs += runs.entries;
  swept_.bytes += runs.bytes;
  return Status::Ok();
}

Result<runtime::Runtime*> Engine::Runtime() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(OpenRuntimeLocked());
  return runtime_.get();
}

Result<images::Resolver*> Engine::Resolver() {
  if (std::lock_guard<std::mutex> lock(mu_); resolver_) return resolver_.get();
  ASSIGN_OR_RETURN(content::ImageStore * store, Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, Layers());
  images::RegistryAccess registries = Registries();
  // Once, before any job can resolve an image: pending versions a killed kiln left (those of
  // another boot are deleted now). Other callers wait here until it is done. Not under mu_:
  // the sweep opens the parts through it.
  std::call_once(swept_pending_, [this] {
    auto swept = pack_->Sweep();
    if (!swept.ok()) LogWarn("pending versions: " + swept.status().ToString());
  });
  std::lock_guard<std::mutex> lock(mu_);
  if (!resolver_) resolver_ = images::NewStoreResolver(store, cat, layers, std::move(registries));
  return resolver_.get();
}

Result<std::string> Engine::RunsDir() {
  std::lock_guard<std::mutex> lock(mu_);
  if (runs_dir_.empty()) {
    std::string parent = JoinPath(state_dir(), "runs");
    RETURN_IF_ERROR(MakeDirs(parent, 0700));
    std::string dir;
    ASSIGN_OR_RETURN(runs_lock_, CreateOwned(
                                     [&](std::string& path) -> Result<UniqueFd> {
                                       ASSIGN_OR_RETURN(path, MakeTempDir(parent, "run-"));
                                       return Open(path, O_RDONLY | O_DIRECTORY);
                                     },
                                     dir));
    runs_dir_ = dir;
  }
  return runs_dir_;
}

Swept Engine::swept() const {
  std::lock_guard<std::mutex> lock(mu_);
  return swept_;
}

Result<images::Image> Engine::ResolveImage(const std::string& ref) {
  ASSIGN_OR_RETURN(content::ImageStore * store, Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, Catalog());
  ASSIGN_OR_RETURN(auto version, images::ResolveVersion(*cat, ref));
  if (version && version->is_pending()) RETURN_IF_ERROR(pack_->MakeWholeNow(*version).status());
  return images::ResolveImage(*store, *cat, ref);
}

Result<runtime::Size> Engine::SizeFor(const std::string& requested,
                                      const std::string& generated_on) const {
  auto made_on = runtime::ParseSize(generated_on);
  runtime::Size size;
  if (!requested.empty()) {
    ASSIGN_OR_RETURN(size, runtime::ParseSize(requested));
    if (made_on.ok() && !runtime::SizeFits(size, *made_on)) {
      return FailedPrecondition("the image was generated on a " + generated_on + " runner; a " +
                                requested + " runner is too small for it (use " + generated_on +
                                " or larger)");
    }
  } else {
    ASSIGN_OR_RETURN(size, runtime::ParseSize(options_.default_size));
    if (made_on.ok()) size = runtime::LargerSize(size, *made_on);
  }
  if (auto it = options_.disk.find(size.name); it != options_.disk.end()) {
    size.disk_bytes = it->second;
  }
  return size;
}

Result<std::vector<std::string>> Engine::LayerDirsInUse() {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, Runtime());
  return rt->LayerDirsInUse();
}

Result<images::GcReport> Engine::CollectGarbage() {
  pack_->WaitIdle();
  ASSIGN_OR_RETURN(content::ImageStore * store, Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, Layers());
  ASSIGN_OR_RETURN(auto in_use, LayerDirsInUse());
  return images::CollectGarbage(*store, *cat, *layers, in_use);
}

}  // namespace kiln::jobs
