#include "cli/app.h"

#include <cstdlib>

#include "base/log.h"
#include "cli/layer_limit.h"
#include "workflow/runner_config.h"

namespace kiln::cli {

Result<jobs::Engine*> App::Engine() {
  if (engine_) return engine_.get();
  jobs::EngineOptions o;
  o.state_dir = state_dir_;
  if (!config_path_.empty()) {
    ASSIGN_OR_RETURN(workflow::RunnerConfig config, workflow::LoadRunnerConfig(config_path_));
    o.default_size = config.default_size;
    o.disk = config.disk;
    o.warm_pool = config.warm_pool;
  }
  ASSIGN_OR_RETURN(o.max_layer_unpacked, LoadMaxLayerUnpacked(config_path_));
  if (warm_pool_ >= 0) o.warm_pool = warm_pool_;
  engine_ = std::make_unique<jobs::Engine>(std::move(o));
  return engine_.get();
}

Result<content::ImageStore*> App::Store() {
  ASSIGN_OR_RETURN(jobs::Engine * e, Engine());
  return e->Store();
}

Result<catalog::Catalog*> App::Catalog() {
  ASSIGN_OR_RETURN(jobs::Engine * e, Engine());
  return e->Catalog();
}

Result<snapshot::LayerCache*> App::Layers() {
  ASSIGN_OR_RETURN(jobs::Engine * e, Engine());
  return e->Layers();
}

Result<runtime::Runtime*> App::Runtime() {
  ASSIGN_OR_RETURN(jobs::Engine * e, Engine());
  return e->Runtime();
}

Result<images::Image> ResolveImage(App& app, const std::string& ref) {
  ASSIGN_OR_RETURN(jobs::Engine * e, app.Engine());
  return e->ResolveImage(ref);
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
