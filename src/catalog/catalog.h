// The image catalogue: custom-image names, their versions, the `latest` tag, runners and
// retention. SQLite (WAL) under the state dir; schema migrations by PRAGMA user_version.
//
// Versions are allocated inside the transaction that records them (BEGIN IMMEDIATE), so two
// snapshots of one name at once get distinct versions, and a kiln killed before the commit
// used no number. The caller writes every blob of the image first and calls AddVersion last:
// a row never exists without its blobs.
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
  std::string image;         // "my-image"
  Version version;
  oci::Digest manifest;      // the image's manifest digest in the content store
  int64_t size = 0;          // bytes: config + compressed layers
  int64_t created = 0;       // unix seconds
  std::string runner_size;   // size it was generated on ("2x8"), may be empty
  std::string source;        // "workflow ci.yml job setup", "sandbox 3f2a…"
  bool latest = false;
};

struct NewVersion {
  oci::Digest manifest;
  int64_t size = 0;
  int64_t created = 0;
  std::string runner_size;
  std::string source;
};

struct RunnerRecord {
  std::string name;
  std::string image;
  std::string version;  // "latest" or "1.2.0"
  std::string size;     // "8x32"
};

struct Retention {
  int keep_newest = 0;   // 0: no count limit
  int max_age_days = 0;  // 0: no age limit
};

class Catalog {
 public:
  // Opens (creating and migrating) the database at `path`.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  virtual ~Catalog() = default;

  // Allocates the next version for `image` per `spec`, records it and moves `latest` to it.
  virtual Result<VersionRecord> AddVersion(const std::string& image, const VersionSpec& spec,
                                           const NewVersion& v) = 0;
  // "latest", "" (= latest) or "1.2.0". NotFound naming what exists when absent.
  virtual Result<VersionRecord> Resolve(const std::string& image, const std::string& version) = 0;
  // Versions of `image`, newest version first; all images when `image` is empty.
  virtual Result<std::vector<VersionRecord>> List(const std::string& image) = 0;
  // Removes one version. FailedPrecondition if a runner pins it (unless force). If it was
  // `latest`, the highest remaining version becomes latest.
  virtual Status DeleteVersion(const std::string& image, const Version& v, bool force) = 0;
  // Moves `latest` to an existing version (rollback).
  virtual Status SetLatest(const std::string& image, const Version& v) = 0;

  virtual Status PutRunner(const RunnerRecord& r) = 0;
  virtual Result<RunnerRecord> GetRunner(const std::string& name) = 0;
  virtual Result<std::vector<RunnerRecord>> ListRunners() = 0;
  virtual Status DeleteRunner(const std::string& name) = 0;

  virtual Status SetRetention(const std::string& image, const Retention& r) = 0;
  virtual Result<Retention> GetRetention(const std::string& image) = 0;
  // Deletes versions outside the retention policy (never `latest`, never a pinned version).
  // Returns what was deleted.
  virtual Result<std::vector<VersionRecord>> Prune(const std::string& image, int64_t now) = 0;
};

}  // namespace kiln::catalog
