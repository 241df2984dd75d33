// The catalogue's schema and its migrations. PRAGMA user_version is the schema version: the
// number of migrations applied (0: an empty file).
#pragma once

#include <cstdint>

#include "base/status.h"
#include "catalog/sqlite.h"

namespace kiln::catalog {

// The newest schema version this kiln knows (the number of migrations it has).
int64_t KnownSchemaVersion();

// The database's user_version. Reads only.
Result<int64_t> SchemaVersion(Db& db);

// FailedPrecondition when the database was made by a newer kiln: "catalogue /x/kiln.db has
// schema version 5; this kiln knows up to 2: upgrade kiln". Reads only, so a refused database
// is left exactly as it was.
Status CheckSchemaVersion(Db& db);

// Applies every migration newer than the database's user_version, in order, in one
// transaction (BEGIN IMMEDIATE, so two processes opening one new file migrate it once): a
// failed migration leaves the database at its old version. Refuses a newer schema as above.
Status Migrate(Db& db);

}  // namespace kiln::catalog
