// The engine under every front door (kiln run, and later kiln hook, the GitLab executor and
// kiln serve): it owns the state directory's parts — the content store, the layer cache, the
// catalogue, the sandbox runtime, the image resolver, the clock and the warm-pool service — and
// the rules that join them: which size a sandbox gets, how its SandboxSpec is made
// (sandbox_plan.h), how a finished job becomes an image (session.h), what GC keeps.
//
// Thread-safe: every method may be called from several threads at once (jobs of one run, the
// requests of a daemon). Parts are opened on first use, once, under a lock, and are themselves
// safe for concurrent use; several kiln processes share one state dir safely (each part's
// contract says how: flocks, atomic renames, SQLite transactions).
//
// State directory layout (default /var/lib/kiln; --state-dir or KILN_STATE_DIR):
//   oci/        an OCI image layout: oci-layout, index.json (image names), blobs/sha256/…
//   layers/     the layer cache: one unpacked, read-only directory per diff ID (mode 0700); a
//               snapshot's upper dir as snap-<key>/, its diff ID a symlink to it once packed
//   sandboxes/  one directory per live sandbox (the runtime's)
//   crun/       crun's state (--root)
//   runs/       one directory per kiln process running jobs (their temp/, home/, step scripts),
//               flock-ed by that process (base/owner_lock.h): a dead process's is swept
//   kiln.db     the catalogue (SQLite, WAL): custom-image versions, runners, retention
//   auth.json   registry credentials stored by kiln login (mode 0600; registry/credentials.h)
//   blob-origins/  which registry repositories hold each blob (images/blob_origins.h: mounts)
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fd.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "content/image_store.h"
#include "images/blob_origins.h"
#include "images/gc.h"
#include "images/resolve.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "registry/transport.h"
#include "runtime/sandbox.h"
#include "snapshot/layer_apply.h"
#include "snapshot/layer_cache.h"

namespace kiln::jobs {

class PackService;
class PoolService;

struct EngineOptions {
  std::string state_dir = "/var/lib/kiln";
  // The catalogue (catalog::OpenCatalog): "" = SQLite at <state_dir>/kiln.db.
  std::string catalog_url;
  std::string init_path;  // the static kiln-init; "" = beside kiln or in its libexec
  int64_t max_layer_unpacked = snapshot::kDefaultMaxLayerUnpacked;
  // The longest chain of snapshot layers over an image's original base; the snapshot that
  // would pass it is written as one squashed layer over that base instead.
  int max_layers = 32;
  // How snapshot layers are compressed (config layer_compression): gzip or zstd.
  oci::Compression layer_compression = oci::Compression::kGzip;
  // A snapshot's version is usable as soon as its upper dir is in the layer cache, and its blobs
  // are written in the background (images/pending.h, PackService); false: written before the
  // version is recorded, as the job ends.
  bool background_pack = true;
  // The network of jobs' sandboxes (config job_network): a kiln network's name, or "none"
  // (loopback only).
  std::string job_network = "kiln";
  std::string default_size = runtime::kDefaultSize;  // the size of sandboxes that name none
  std::map<std::string, int64_t> disk;               // disk cap by size name (config [sizes])
  int warm_pool = 0;       // sandboxes to keep waiting per image and size a job used
  Clock* clock = nullptr;  // null: the real clock
  // Registries: hosts reached without TLS checks (config insecure_registries), and the flags
  // --tls-verify=false (every host) and --cert-dir (a dir holding the host's ca.crt and client
  // certificate), which applies to cert_dir_host alone (the host named on kiln pull, push or
  // login): every other host uses /etc/containers/certs.d/HOST:PORT/.
  std::vector<std::string> insecure_registries;
  bool tls_verify = true;
  std::string cert_dir;
  std::string cert_dir_host;
  registry::RetryPolicy retry;
  // Parts given instead of opened from state_dir (tests, embedders); the engine owns them.
  std::unique_ptr<runtime::Runtime> runtime;
  std::unique_ptr<images::Resolver> resolver;
  std::unique_ptr<registry::Transport> transport;  // null: the curl transport (HTTP/2)
};

// What the sweeps of leftovers removed (killed kiln processes' sandboxes, run dirs, blobs).
struct Swept {
  int sandboxes = 0;
  int runs = 0;           // run dirs (job scratch: temp/, home/, step scripts)
  int partial_blobs = 0;  // temp files in oci/ingest
  int64_t bytes = 0;      // run dirs and partial blobs on disk
};

class Engine {
 public:
  explicit Engine(EngineOptions options);
  // Waits for the pending versions being made whole (PackService), refills the warm pools jobs
  // used (PoolService::Refill), then removes this process's run dir.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineOptions& options() const { return options_; }
  const std::string& state_dir() const { return options_.state_dir; }
  Clock& clock() const { return *clock_; }

  // Each opens its part on first use and keeps it. Store() first sweeps partial blobs whose
  // writer is gone; Runtime() sweeps sandboxes and then run dirs that killed kiln processes left.
  Result<content::ImageStore*> Store();
  Result<snapshot::LayerCache*> Layers();
  Result<catalog::Catalog*> Catalog();
  Result<runtime::Runtime*> Runtime();
  Result<images::Resolver*> Resolver();
  // This process's own dir under runs/ (created and locked on first use, removed by ~Engine):
  // the scratch dir of the jobs it runs.
  Result<std::string> RunsDir();
  Swept swept() const;
  PoolService& pool() { return *pool_; }
  PackService& packer() { return *pack_; }

  // --- Registries (engine_registry.cc) ---
  // kiln login's file (<state_dir>/auth.json), then Docker's and podman's (DefaultAuthFiles()).
  registry::CredentialStore& Credentials();
  // The client for `host` ("127.0.0.1:5000", "docker.io"): made on first use over the one
  // shared transport, with the host's options; kept for the engine's life.
  Result<registry::Client*> Registry(const std::string& host);
  // A client of its own for `host` with these credentials instead of the store's (kiln login
  // checks a password before storing it), over the shared transport.
  std::unique_ptr<registry::Client> NewRegistryClient(const std::string& host,
                                                      registry::CredentialSource* credentials);
  // Where blobs came from (<state_dir>/blob-origins), for mounts on push.
  Result<images::BlobOrigins*> Origins();
  // What the resolver and the image commands use to reach registries.
  images::RegistryAccess Registries();

  // The image `ref` names (catalogue, then store), not prepared.
  // The image `ref` names (catalogue, then store), not prepared. A pending version is made
  // whole first (waiting for its packer when one is at work).
  Result<images::Image> ResolveImage(const std::string& ref);
  // The size a sandbox gets: `requested` when set (FailedPrecondition when it is smaller than
  // the size the image was made on), else the larger of default_size and that size; with the
  // config's disk figure for it.
  Result<runtime::Size> SizeFor(const std::string& requested,
                                const std::string& generated_on) const;
  // The lower dirs of every sandbox that exists (this and other kiln processes'): their layers
  // must stay in the layer cache.
  Result<std::vector<std::string>> LayerDirsInUse();
  // Blobs and cached layers no image name, version or sandbox uses (after the packer is idle).
  Result<images::GcReport> CollectGarbage();

 private:
  Status OpenRuntimeLocked();
  Status OpenStoreLocked();
  // The options of a client for `host` (registry_mu_ held).
  registry::ClientOptions ClientOptionsLocked(const std::string& host,
                                              registry::CredentialSource* credentials);

  EngineOptions options_;
  Clock* clock_;
  mutable std::mutex mu_;  // guards the lazily opened parts below and swept_
  std::unique_ptr<content::ImageStore> store_;
  std::unique_ptr<snapshot::LayerCache> layers_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::unique_ptr<images::Resolver> resolver_;
  std::once_flag swept_pending_;  // the sweep of pending versions, before resolver_ is set
  bool runtime_swept_ = false;
  std::string runs_dir_;
  UniqueFd runs_lock_;
  Swept swept_;
  std::unique_ptr<PoolService> pool_;
  std::mutex registry_mu_;  // guards the registry parts below
  std::unique_ptr<registry::Transport> transport_;
  std::unique_ptr<registry::CredentialStore> credentials_;
  std::map<std::string, std::unique_ptr<registry::Client>> clients_;
  std::unique_ptr<images::BlobOrigins> origins_;
  std::unique_ptr<PackService> pack_;
};

}  // namespace kiln::jobs
