#include "cli/app.h"

#include <cstdlib>

#include "base/log.h"
#include "workflow/config_file.h"

namespace kiln::cli {

Result<jobs::Engine*> App::Engine() {
  if (engine_) return engine_.get();
  ASSIGN_OR_RETURN(workflow::Config config, workflow::LoadConfigFile(config_path_));
  jobs::EngineOptions o;
  o.state_dir = state_dir_;
  o.default_size = config.default_size;
  o.disk = config.disk;
  o.warm_pool = warm_pool_ >= 0 ? warm_pool_ : config.warm_pool;
  o.max_layer_unpacked = config.max_layer_unpacked;
  // $KILN_INIT over the config's init_path (the environment overrides the file), else beside
  // kiln or in its libexec (runtime::FindKilnInit).
  const char* init = std::getenv("KILN_INIT");
  o.init_path = init != nullptr && *init != '\0' ? init : config.init_path;
  o.max_layers = config.max_layers;
  o.insecure_registries = config.insecure_registries;
  o.tls_verify = tls_verify_;
  o.cert_dir = cert_dir_;
  o.cert_dir_host = cert_dir_host_;
  o.layer_compression = config.layer_compression;
  o.job_network = config.job_network;
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
