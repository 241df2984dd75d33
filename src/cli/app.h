// What every subcommand shares: the global options, and the engine (jobs/engine.h) made from
// them and the config file on first use.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "images/image.h"
#include "jobs/engine.h"

namespace kiln::cli {

class App {
 public:
  // `config_path`: --config, else $KILN_CONFIG, else /etc/kiln/config.toml when it exists, else "".
  App(std::string state_dir, std::string config_path)
      : state_dir_(std::move(state_dir)), config_path_(std::move(config_path)) {}
  const std::string& state_dir() const { return state_dir_; }
  const std::string& config_path() const { return config_path_; }
  // Both only before the first Engine() call.
  void set_config_path(std::string path) { config_path_ = std::move(path); }
  void set_warm_pool(int count) { warm_pool_ = count; }
  // --tls-verify=false and --cert-dir of the registry commands (a cert dir is for `host` only).
  void set_tls_verify(bool verify) { tls_verify_ = verify; }
  void set_cert_dir(std::string dir, std::string host) {
    cert_dir_ = std::move(dir);
    cert_dir_host_ = std::move(host);
  }

  // The engine, made on first use from the state dir, the config file (sizes, disk caps, warm
  // pool, layer limits, init_path) and $KILN_INIT. An error names the config file.
  Result<jobs::Engine*> Engine();
  // Shorthands for commands that need one part.
  Result<content::ImageStore*> Store();
  Result<catalog::Catalog*> Catalog();
  Result<snapshot::LayerCache*> Layers();
  Result<runtime::Runtime*> Runtime();

 private:
  std::string state_dir_;
  std::string config_path_;
  int warm_pool_ = -1;  // -1: the config file's
  bool tls_verify_ = true;
  std::string cert_dir_, cert_dir_host_;
  std::unique_ptr<jobs::Engine> engine_;
};

// The image `ref` names (a custom image's version, else a store name or digest).
Result<images::Image> ResolveImage(App& app, const std::string& ref);

// The state dir from $KILN_STATE_DIR, else /var/lib/kiln.
std::string DefaultStateDir();

// Prints a failed Status for people ("kiln: error: …") and returns exit code 1 (2 for
// InvalidArgument, meaning the command line or an input file is wrong).
int Fail(const Status& status);

}  // namespace kiln::cli
