// What every subcommand shares: the state directory and the parts opened from it, lazily.
//
// State directory layout (default /var/lib/kiln; --state-dir or KILN_STATE_DIR):
//   oci/        an OCI image layout: oci-layout, index.json (image names), blobs/sha256/…
//   layers/     the layer cache: one unpacked, read-only directory per diff ID (mode 0700)
//   sandboxes/  one directory per live sandbox (upper, work, rootfs mount, bundle)
//   crun/       crun's state (--root)
//   pool/       warm-pool refill requests and fill locks (one per image and size)
//   runs/       one directory per `kiln run` process (its jobs' temp/, home/, step scripts),
//               flock-ed by that process (base/owner_lock.h): a dead process's is swept
//   kiln.db     the catalogue (SQLite, WAL): custom-image versions, runners, retention
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "content/image_store.h"
#include "runtime/sandbox.h"
#include "snapshot/layer_cache.h"

namespace kiln::cli {

// What this process's sweeps removed of what killed kiln processes left behind.
struct Swept {
  int sandboxes = 0;
  int runs = 0;            // run dirs (job scratch: temp/, home/, step scripts)
  int partial_blobs = 0;   // temp files in oci/ingest
  int64_t bytes = 0;       // run dirs and partial blobs on disk
};

class App {
 public:
  explicit App(std::string state_dir) : state_dir_(std::move(state_dir)) {}
  // Removes this process's run dir.
  ~App();
  const std::string& state_dir() const { return state_dir_; }

  // Each opens its part on first use (creating directories) and keeps it. Store() first sweeps
  // partial blobs whose writer is gone.
  Result<content::ImageStore*> Store();
  Result<snapshot::LayerCache*> Layers();
  Result<catalog::Catalog*> Catalog();
  // The crun runtime; sweeps what killed kiln processes left behind on first use: their
  // sandboxes, then their run dirs. With a warm pool set (before the first call), it refills the
  // pool after each job sandbox it creates.
  Result<runtime::Runtime*> Runtime();
  void set_warm_pool(int count) { warm_pool_ = count; }
  // The config file named by --config (before the first Layers() call); else Layers() reads
  // $KILN_CONFIG or /etc/kiln/config.toml for `max_layer_unpacked` (cli/layer_limit.h).
  void set_config_path(std::string path) { config_path_ = std::move(path); }
  // This process's own dir under runs/ (created and locked on first use, removed by ~App): the
  // scratch dir of the jobs it runs. A sweep by another kiln removes it once this one is gone.
  Result<std::string> RunsDir();
  const Swept& swept() const { return swept_; }

 private:
  std::string state_dir_;
  std::unique_ptr<content::ImageStore> store_;
  std::unique_ptr<snapshot::LayerCache> layers_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::unique_ptr<runtime::Runtime> refilling_;
  int warm_pool_ = 0;
  std::string config_path_;
  std::string runs_dir_;
  UniqueFd runs_lock_;
  Swept swept_;
};

// An image as a job or command names it, resolved: a custom image's version from the catalogue
// ("ci-tools", "ci-tools:latest", "ci-tools:1.2.0") or else a name in the OCI layout
// ("debian:bookworm"), or a manifest digest.
struct ResolvedImage {
  std::string display;  // "ci-tools:1.2.0" or "debian:bookworm"
  content::LoadedImage image;
  std::optional<catalog::VersionRecord> version;  // set for custom images
};
Result<ResolvedImage> ResolveImage(App& app, const std::string& ref);

// The state dir from --state-dir, else $KILN_STATE_DIR, else /var/lib/kiln.
std::string DefaultStateDir();

// Prints a failed Status for people ("kiln: error: …") and returns exit code 1 (2 for
// InvalidArgument, meaning the command line or an input file is wrong).
int Fail(const Status& status);

}  // namespace kiln::cli
