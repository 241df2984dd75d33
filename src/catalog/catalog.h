// The image catalogue: custom-image names, their versions, the `latest` tag, runners and
// retention. One interface with two implementations that pass one suite (catalog_suite.cc):
// SQLite (WAL) under the state dir, and an in-memory one for tests; PostgreSQL comes later.
//
// Versions are allocated inside the transaction that records them, so two snapshots of one
// name at once (threads or processes) get distinct versions, and a kiln killed before the
// commit used no number. A number once handed out is never used again, even after its version
// is deleted. The caller writes every blob of the image first and calls AddVersion last: a
// row never exists without its blobs.
//
// Threads: every method of every implementation may be called from several threads at once
// on one Catalog object. Each call is atomic: it runs alone on the object (SQLite: one
// connection behind a mutex, each writing call one BEGIN IMMEDIATE transaction) and other
// processes sharing the file wait up to 10 s for the write lock.
//
// Errors: NotFound and FailedPrecondition name what exists or what is in the way; a storage
// error names what kiln was doing and where ("record toolbox:1.2.0 in catalogue /x/kiln.db:
// attempt to write a readonly database (…)").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/version.h"
#include "oci/digest.h"

namespace kiln::catalog {

struct VersionRecord {
  std::string image;  // "my-image"
  Version version;
  oci::Digest manifest;     // the image's manifest digest in the content store
  int64_t size = 0;         // bytes: config + compressed layers
  int64_t created = 0;      // unix seconds
  std::string runner_size;  // size it was generated on ("2x8"), may be empty
  std::string source;       // "workflow ci.yml job setup", "sandbox 3f2a…"
  bool latest = false;
  // Non-empty for a *pending* version: usable by jobs (its layer is in the layer cache) but
  // its blobs are not written yet, so `manifest` is empty. The text (images/pending.h) says
  // how to make it whole; the catalogue keeps it and does not read it.
  std::string pending;
  bool is_pending() const { return !pending.empty(); }
};

struct NewVersion {
  oci::Digest manifest;  // empty for a pending version
  int64_t size = 0;
  int64_t created = 0;
  std::string runner_size;
  std::string source;
  std::string pending;  // see VersionRecord::pending
};

struct RunnerRecord {
  std::string name;
  std::string image;
  std::string version;  // "latest" or "1.2.0"
  std::string size;     // "8x32"
  // The network its jobs join: "" = the config's job_network; "none" = loopback only; else a
  // kiln network's name.
  std::string network;
};

struct Retention {
  int keep_newest = 0;   // 0: no count limit
  int max_age_days = 0;  // 0: no age limit
};

class Catalog {
 public:
  // The same as OpenCatalog(path) (a plain path: SQLite). Kept for the callers that predate
  // OpenCatalog; new code calls OpenCatalog.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  virtual ~Catalog() = default;

  // Allocates the next version for `image` per `spec`, records it and moves `latest` to it.
  virtual Result<VersionRecord> AddVersion(const std::string& image, const VersionSpec& spec,
                                           const NewVersion& v) = 0;
  // "latest", "" (= latest) or "1.2.0". NotFound naming what exists when absent.
  virtual Result<VersionRecord> Resolve(const std::string& image, const std::string& version) = 0;
  // Versions of `image`, newest version first; all images (by name, then newest version
  // first) when `image` is empty.
  virtual Result<std::vector<VersionRecord>> List(const std::string& image) = 0;

  // Removes `versions` of `image`, all or nothing, and returns what it removed (newest
  // first). Everything is checked before anything changes: NotFound (naming what exists) if
  // one is absent; unless `force`, FailedPrecondition naming every pinned version and the
  // runners that pin it ("toolbox:1.1.0 is pinned by runner ci-large; remove the runner or
  // use --force"). A runner pins the version it names; a runner that follows `latest` pins
  // the image's last version (removing it would leave the runner no image). If `latest` is
  // removed, the highest version left becomes latest.
  virtual Result<std::vector<VersionRecord>> DeleteVersions(const std::string& image,
                                                            const std::vector<Version>& versions,
                                                            bool force) = 0;
  // Removes every version of `image` as DeleteVersions does. NotFound when it has none.
  // Its numbers stay used: a later snapshot of the name continues after them.
  virtual Result<std::vector<VersionRecord>> DeleteImage(const std::string& image, bool force) = 0;
  // One version: DeleteVersions(image, {v}, force).
  Status DeleteVersion(const std::string& image, const Version& v, bool force) {
    return DeleteVersions(image, {v}, force).status();
  }
  // Moves `latest` to an existing version (rollback). NotFound naming what exists.
  virtual Status SetLatest(const std::string& image, const Version& v) = 0;
  // Makes a pending version whole: records its manifest and size and clears `pending`.
  // NotFound when the version is gone (deleted meanwhile); Ok when it already is whole with
  // this manifest; FailedPrecondition when it is whole with another.
  virtual Status CompleteVersion(const std::string& image, const Version& v,
                                 const oci::Digest& manifest, int64_t size) = 0;

  // Adds or replaces the runner `r.name`. r.version is "latest" (also "") or a version ("1.2"
  // is stored as "1.2.0"); InvalidArgument otherwise.
  virtual Status PutRunner(const RunnerRecord& r) = 0;
  virtual Result<RunnerRecord> GetRunner(const std::string& name) = 0;
  // By name.
  virtual Result<std::vector<RunnerRecord>> ListRunners() = 0;
  virtual Status DeleteRunner(const std::string& name) = 0;

  // `image` "*" sets the default for images without a policy of their own.
  virtual Status SetRetention(const std::string& image, const Retention& r) = 0;
  virtual Result<Retention> GetRetention(const std::string& image) = 0;
  // Deletes, in one transaction, the versions outside the retention policy: past the newest
  // keep_newest by creation time, or older than max_age_days at `now`; never `latest`, never
  // a pinned version. Returns what was deleted.
  virtual Result<std::vector<VersionRecord>> Prune(const std::string& image, int64_t now) = 0;
};

// Opens the catalogue named by `url`:
//   sqlite:///abs/path/kiln.db   SQLite, created and migrated to this kiln's schema;
//   /abs/or/relative/kiln.db     the same (a plain path);
//   sqlite:///p?mode=ro          SQLite read-only (an up-to-date catalogue; every write fails);
//   memory:                      a new, empty in-memory catalogue (tests; gone on close).
// postgres:// and postgresql:// are FailedPrecondition (not supported yet); anything else with
// a scheme is InvalidArgument listing these forms. A catalogue with a newer schema than this
// kiln's is FailedPrecondition and left unchanged.
Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& url);

// A new, empty in-memory catalogue (what OpenCatalog("memory:") returns).
std::unique_ptr<Catalog> NewMemoryCatalog();

}  // namespace kiln::catalog
