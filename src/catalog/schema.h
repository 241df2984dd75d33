// The catalogue's schema and its migrations (PRAGMA user_version counts the applied steps).
#pragma once

#include "base/status.h"
#include "catalog/sqlite.h"

namespace kiln::catalog {

// Applies every migration newer than the database's user_version, each in its own transaction.
// A database from a newer kiln (user_version beyond ours) is FailedPrecondition.
Status Migrate(Db& db);

}  // namespace kiln::catalog
