#include "cli/app.h"

#include <cstdlib>
#include <fcntl.h>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "cli/layer_limit.h"
#include "base/owner_lock.h"
#include "cli/pool_refill.h"

namespace kiln::cli {
namespace {

// Logs what a sweep removed; a failure is a warning (a stuck leftover must not stop kiln).
SweepCount LogSweep(const Result<SweepCount>& sweep, const std::string& what) {
  SweepCount count = sweep.ok() ? *sweep : SweepCount{0, 0, sweep.status()};
  if (count.entries > 0) {
    LogInfo("removed " + std::to_string(count.entries) + " " + what + " (" +
            FormatBytes(static_cast<uint64_t>(count.bytes)) + ") left by a killed kiln");
  }
  if (!count.failed.ok()) LogWarn("could not remove all " + what + " left by a killed kiln: " + count.failed.message());
  return count;
}

}  // namespace

App::~App() {
  if (!runs_dir_.empty()) (void)RemoveTree(runs_dir_);
}

Result<content::ImageStore*> App::Store() {
  if (!store_) {
    ASSIGN_OR_RETURN(store_, content::ImageStore::Open(JoinPath(state_dir_, "oci")));
    SweepCount partial = LogSweep(store_->blobs().SweepTemp(), "partial blob(s)");
    swept_.partial_blobs += partial.entries;
    swept_.bytes += partial.bytes;
  }
  return store_.get();
}

Result<std::string> App::RunsDir() {
  if (runs_dir_.empty()) {
    std::string parent = JoinPath(state_dir_, "runs");
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

Result<snapshot::LayerCache*> App::Layers() {
  if (!layers_) {
    ASSIGN_OR_RETURN(content::ImageStore * store, Store());
    ASSIGN_OR_RETURN(int64_t max_unpacked, LoadMaxLayerUnpacked(ConfigFilePath(config_path_)));
    ASSIGN_OR_RETURN(auto cache, snapshot::LayerCache::Open(JoinPath(state_dir_, "layers"),
                                                            &store->blobs(), max_unpacked));
    layers_ = std::make_unique<snapshot::LayerCache>(std::move(cache));
  }
  return layers_.get();
}

Result<catalog::Catalog*> App::Catalog() {
  if (!catalog_) {
    RETURN_IF_ERROR(MakeDirs(state_dir_, 0711));
    ASSIGN_OR_RETURN(catalog_, catalog::Catalog::Open(JoinPath(state_dir_, "kiln.db")));
  }
  return catalog_.get();
}

Result<ResolvedImage> ResolveImage(App& app, const std::string& ref) {
  ASSIGN_OR_RETURN(content::ImageStore * store, app.Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, app.Catalog());
  size_t colon = ref.rfind(':');
  bool has_tag = colon != std::string::npos && ref.find('@') == std::string::npos &&
                 ref.find('/', colon) == std::string::npos;
  std::string repo = has_tag ? ref.substr(0, colon) : ref;
  std::string tag = has_tag ? ref.substr(colon + 1) : "latest";
  ASSIGN_OR_RETURN(auto versions, cat->List(repo));
  if (!versions.empty()) {
    ASSIGN_OR_RETURN(catalog::VersionRecord v, cat->Resolve(repo, tag));
    auto img = store->Load(v.manifest.str());
    if (!img.ok()) return img.status().WithContext("image " + repo + ":" + v.version.ToString());
    return ResolvedImage{repo + ":" + v.version.ToString(), *img, v};
  }
  auto img = store->Load(ref);
  if (!img.ok()) return img.status();
  return ResolvedImage{img->name.empty() ? ref : img->name, *img, std::nullopt};
}

Result<runtime::Runtime*> App::Runtime() {
  if (!runtime_) {
    runtime::RuntimeOptions options;
    options.state_dir = state_dir_;
    ASSIGN_OR_RETURN(runtime_, runtime::NewCrunRuntime(options));
    ASSIGN_OR_RETURN(int swept, runtime_->SweepOrphans());
    if (swept > 0) {
      LogInfo("removed " + std::to_string(swept) + " sandbox(es) left by an earlier kiln");
    }
    swept_.sandboxes += swept;
    // After the sandboxes: a dead kiln's jobs no longer run in its run dir.
    SweepCount runs = LogSweep(SweepUnowned(JoinPath(state_dir_, "runs")), "run dir(s)");
    swept_.runs += runs.entries;
    swept_.bytes += runs.bytes;
    if (warm_pool_ > 0) refilling_ = std::make_unique<RefillingRuntime>(runtime_.get(), state_dir_, warm_pool_);
  }
  return refilling_ ? refilling_.get() : runtime_.get();
}

std::string DefaultStateDir() {
  const char* env = std::getenv("KILN_STATE_DIR");
  return env != nullptr && *env != '\0' ? env : "/var/lib/kiln";
}

int Fail(const Status& status) {
  LogError(status.message());
  return status.code() == Code::kInvalidArgument ? 2 : 1;
}

}  // namespace kiln::cli
