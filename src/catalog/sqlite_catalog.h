// The SQLite implementation of Catalog (internal to catalog/; open it with OpenCatalog).
//
// One connection, and a mutex held for the whole of each public call, so a transaction never
// interleaves with another thread's statements. Public methods lock and name what they do
// (Db::SetDoing); the *Locked helpers expect both done.
#pragma once

#include <mutex>

#include "catalog/catalog.h"
#include "catalog/sqlite.h"

namespace kiln::catalog {

// Opens (creating unless read_only, and migrating) the SQLite catalogue at `path`. A newer
// schema is refused before anything writes.
Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path, bool read_only);

class SqliteCatalog : public Catalog {
 public:
  explicit SqliteCatalog(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<VersionRecord> AddVersion(const std::string& image, const VersionSpec& spec,
                                   const NewVersion& nv) override;
  Result<VersionRecord> Resolve(const std::string& image, const std::string& version) override;
  Result<std::vector<VersionRecord>> List(const std::string& image) override;
  Result<std::vector<VersionRecord>> DeleteVersions(const std::string& image,
                                                    const std::vector<Version>& versions,
                                                    bool force) override;
  Result<std::vector<VersionRecord>> DeleteImage(const std::string& image, bool force) override;
  Status SetLatest(const std::string& image, const Version& v) override;
  Status CompleteVersion(const std::string& image, const Version& v, const oci::Digest& manifest,
                         int64_t size) override;

  Status PutRunner(const RunnerRecord& r) override;
  Result<RunnerRecord> GetRunner(const std::string& name) override;
  Result<std::vector<RunnerRecord>> ListRunners() override;
  Status DeleteRunner(const std::string& name) override;

  Status SetRetention(const std::string& image, const Retention& r) override;
  Result<Retention> GetRetention(const std::string& image) override;
  Result<std::vector<VersionRecord>> Prune(const std::string& image, int64_t now) override;

 private:
  // Locks the connection for one call and names what it does.
  std::unique_lock<std::mutex> Begin(std::string doing);

  Result<std::vector<VersionRecord>> ListLocked(const std::string& image);
  Result<std::vector<RunnerRecord>> RunnersLocked();
  Result<Retention> RetentionLocked(const std::string& image);
  Status SetLatestLocked(const std::string& image, const Version& v);
  // Deletes `doomed` (checked records of `image`, whose versions are `all`) and moves latest.
  Status RemoveLocked(const std::string& image, const std::vector<VersionRecord>& doomed,
                      const std::vector<VersionRecord>& all);
  Result<std::vector<VersionRecord>> DeleteLocked(const std::string& image,
                                                  const std::vector<Version>* versions, bool force);

  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace kiln::catalog
