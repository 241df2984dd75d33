#include "catalog/schema.h"

#include <string>
#include <vector>

namespace kiln::catalog {
namespace {

// Append only: entry i takes schema version i to i + 1; never edit a released one.
const std::vector<const char*> kMigrations = {
    // 1: versions, the numbers ever allocated, latest, runners, retention.
    R"(CREATE TABLE versions (
         image TEXT NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
         patch INTEGER NOT NULL, manifest TEXT NOT NULL, size INTEGER NOT NULL,
         created INTEGER NOT NULL, runner_size TEXT NOT NULL, source TEXT NOT NULL,
         PRIMARY KEY (image, major, minor, patch));
       CREATE TABLE allocated (
         image TEXT NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
         patch INTEGER NOT NULL, PRIMARY KEY (image, major, minor, patch));
       CREATE TABLE latest (
         image TEXT PRIMARY KEY, major INTEGER NOT NULL, minor INTEGER NOT NULL,
         patch INTEGER NOT NULL);
       CREATE TABLE runners (
         name TEXT PRIMARY KEY, image TEXT NOT NULL, version TEXT NOT NULL, size TEXT NOT NULL);
       CREATE TABLE retention (
         image TEXT PRIMARY KEY, keep_newest INTEGER NOT NULL, max_age_days INTEGER NOT NULL);)",
    // 2: runner versions in one spelling ("latest" or X.Y.Z; kiln 0.1 stored "1.2" as given,
    // which no pin check matched), and an index for the pin checks of every delete.
    R"(UPDATE runners SET version = 'latest' WHERE version = '';
       UPDATE runners SET version = version || '.0'
         WHERE version GLOB '[0-9]*.[0-9]*' AND version NOT GLOB '*.*.*';
       CREATE INDEX runners_by_image ON runners (image);)",
    // 3: pending versions (usable before their blobs are written; images/pending.h): what
    // makes one whole, '' for a whole version.
    R"(ALTER TABLE versions ADD COLUMN pending TEXT NOT NULL DEFAULT '';)",
    // 4: the network a runner's jobs join ('' = the config's job_network).
    R"(ALTER TABLE runners ADD COLUMN network TEXT NOT NULL DEFAULT '';)",
};

}  // namespace

int64_t KnownSchemaVersion() { return static_cast<int64_t>(kMigrations.size()); }

Result<int64_t> SchemaVersion(Db& db) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Status CheckSchemaVersion(Db& db) {
  ASSIGN_OR_RETURN(int64_t have, SchemaVersion(db));
  if (have <= KnownSchemaVersion()) return Status::Ok();
  return FailedPrecondition("catalogue " + db.path() + " has schema version " +
                            std::to_string(have) + "; this kiln knows up to " +
                            std::to_string(KnownSchemaVersion()) + ": upgrade kiln");
}

Status Migrate(Db& db) {
  // Up to date (every open but the first): no write transaction, so no sync.
  ASSIGN_OR_RETURN(int64_t current, SchemaVersion(db));
  if (current == KnownSchemaVersion()) return Status::Ok();
  RETURN_IF_ERROR(CheckSchemaVersion(db));
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(db));
  // Another process may have migrated (or a newer kiln upgraded) while we waited for the lock.
  RETURN_IF_ERROR(CheckSchemaVersion(db));
  ASSIGN_OR_RETURN(int64_t have, SchemaVersion(db));
  for (int64_t i = have; i < KnownSchemaVersion(); ++i) {
    db.SetDoing("migrate to schema version " + std::to_string(i + 1));
    RETURN_IF_ERROR(db.Exec(kMigrations[static_cast<size_t>(i)]));
  }
  RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(KnownSchemaVersion())));
  return tx->Commit();
}

}  // namespace kiln::catalog
