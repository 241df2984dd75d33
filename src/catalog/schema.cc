#include "catalog/schema.h"

#include <string>
#include <vector>

namespace kiln::catalog {
namespace {

// Append only: each entry is one migration; never edit a released one.
const std::vector<const char*> kMigrations = {
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
};

Result<int64_t> UserVersion(Db& db) {
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace

Status Migrate(Db& db) {
  // Up to date (every open but the first): no write transaction, so no sync.
  ASSIGN_OR_RETURN(int64_t current, UserVersion(db));
  if (current == static_cast<int64_t>(kMigrations.size())) return Status::Ok();
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(db));
  ASSIGN_OR_RETURN(int64_t have, UserVersion(db));
  int64_t want = static_cast<int64_t>(kMigrations.size());
  if (have > want) {
    return FailedPrecondition("database schema version " + std::to_string(have) +
                              " is newer than this kiln's (" + std::to_string(want) + ")");
  }
  for (int64_t i = have; i < want; ++i) {
    RETURN_IF_ERROR_CTX(db.Exec(kMigrations[static_cast<size_t>(i)]),
                        "migration " + std::to_string(i + 1));
  }
  RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(want)));
  return tx->Commit();
}

}  // namespace kiln::catalog
