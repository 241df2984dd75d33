// Catalog on SQLite. Version numbers ever handed out are kept in `allocated` even after their
// version is deleted, so a number is never used twice.
#include "catalog/sqlite_catalog.h"

#include "catalog/schema.h"

namespace kiln::catalog {

extern const char kVersionCols[];
const char kVersionCols[] =
    "v.image, v.major, v.minor, v.patch, v.manifest, v.size, v.created, v.runner_size, v.source, "
    "(l.image IS NOT NULL)";
extern const char kVersionFrom[];
const char kVersionFrom[] =
    " FROM versions v LEFT JOIN latest l ON l.image = v.image AND l.major = v.major AND "
    "l.minor = v.minor AND l.patch = v.patch";

VersionRecord ReadVersion(const Stmt& s) {
  VersionRecord r;
  r.image = s.Text(0);
  r.version = {static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2)), static_cast<int>(s.Int(3))};
  r.manifest = oci::Digest::Parse(s.Text(4)).value();
  r.size = s.Int(5);
  r.created = s.Int(6);
  r.runner_size = s.Text(7);
  r.source = s.Text(8);
  r.latest = s.Int(9) != 0;
  return r;
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, Db::Open(path));
  RETURN_IF_ERROR_CTX(Migrate(*db), "catalog " + path);
  return std::unique_ptr<Catalog>(std::make_unique<SqliteCatalog>(std::move(db)));
}

}  // namespace kiln::catalog
