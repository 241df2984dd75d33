// Catalog on SQLite: opening, adding and reading versions. Version numbers ever handed out
// are kept in `allocated` even after their version is deleted, so a number is never used
// twice.
#include "catalog/sqlite_catalog.h"

#include <algorithm>

#include "catalog/rules.h"
#include "catalog/schema.h"

namespace kiln::catalog {
namespace {

const char kVersionCols[] =
    "v.image, v.major, v.minor, v.patch, v.manifest, v.size, v.created, v.runner_size, v.source, "
    "(l.image IS NOT NULL), v.pending";
const char kVersionFrom[] =
    " FROM versions v LEFT JOIN latest l ON l.image = v.image AND l.major = v.major AND "
    "l.minor = v.minor AND l.patch = v.patch";

VersionRecord ReadVersion(const Stmt& s) {
  VersionRecord r;
  r.image = s.Text(0);
  r.version = {static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2)), static_cast<int>(s.Int(3))};
  if (!s.Text(4).empty()) r.manifest = oci::Digest::Parse(s.Text(4)).value();
  r.size = s.Int(5);
  r.created = s.Int(6);
  r.runner_size = s.Text(7);
  r.source = s.Text(8);
  r.latest = s.Int(9) != 0;
  r.pending = s.Text(10);
  return r;
}

Stmt& BindVersion(Stmt& s, const Version& v) {
  return s.Bind(int64_t{v.major}).Bind(int64_t{v.minor}).Bind(int64_t{v.patch});
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path, bool read_only) {
  ASSIGN_OR_RETURN(auto db, Db::Open(path, read_only));
  // Before anything writes (journal mode, migrations): a newer kiln's file stays as it is.
  RETURN_IF_ERROR(CheckSchemaVersion(*db));
  if (!read_only) RETURN_IF_ERROR(db->SetWal());
  RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<Catalog>(std::make_unique<SqliteCatalog>(std::move(db)));
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  return OpenSqliteCatalog(path, false);
}

std::unique_lock<std::mutex> SqliteCatalog::Begin(std::string doing) {
  std::unique_lock<std::mutex> lock(mu_);
  db_->SetDoing(std::move(doing));
  return lock;
}

Result<VersionRecord> SqliteCatalog::AddVersion(const std::string& image, const VersionSpec& spec,
                                                const NewVersion& nv) {
  auto lock = Begin("add a version of " + image);
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  std::vector<Version> used;
  {
    ASSIGN_OR_RETURN(Stmt s,
                     db_->Prepare("SELECT major, minor, patch FROM allocated WHERE image = ?"));
    s.Bind(image);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      used.push_back(
          {static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2))});
    }
  }
  Version v = NextVersion(used, spec);
  db_->SetDoing("record " + image + ":" + v.ToString());
  ASSIGN_OR_RETURN(Stmt a, db_->Prepare("INSERT INTO allocated VALUES (?, ?, ?, ?)"));
  RETURN_IF_ERROR(BindVersion(a.Bind(image), v).Run());
  ASSIGN_OR_RETURN(Stmt ins,
                   db_->Prepare("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(BindVersion(ins.Bind(image), v)
                      .Bind(nv.pending.empty() ? nv.manifest.str() : std::string())
                      .Bind(nv.size)
                      .Bind(nv.created)
                      .Bind(nv.runner_size)
                      .Bind(nv.source)
                      .Bind(nv.pending)
                      .Run());
  RETURN_IF_ERROR(SetLatestLocked(image, v));
  RETURN_IF_ERROR(tx->Commit());
  return VersionRecord{image,     v,          nv.pending.empty() ? nv.manifest : oci::Digest(),
                       nv.size,   nv.created, nv.runner_size,
                       nv.source, true,       nv.pending};
}

Result<VersionRecord> SqliteCatalog::Resolve(const std::string& image, const std::string& version) {
  auto lock = Begin("look up " + image + ":" + (version.empty() ? "latest" : version));
  std::string sql = std::string("SELECT ") + kVersionCols + kVersionFrom + " WHERE v.image = ?";
  bool latest = version.empty() || version == "latest";
  Version want;
  if (latest) {
    sql += " AND l.image IS NOT NULL";
  } else {
    ASSIGN_OR_RETURN(want, ParseVersion(version));
    sql += " AND v.major = ? AND v.minor = ? AND v.patch = ?";
  }
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
  s.Bind(image);
  if (!latest) BindVersion(s, want);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) return ReadVersion(s);
  ASSIGN_OR_RETURN(auto all, ListLocked(image));
  return NoSuchVersion(image, version, all);
}

Result<std::vector<VersionRecord>> SqliteCatalog::List(const std::string& image) {
  auto lock = Begin(image.empty() ? "list images" : "list the versions of " + image);
  return ListLocked(image);
}

Result<std::vector<VersionRecord>> SqliteCatalog::ListLocked(const std::string& image) {
  std::string sql = std::string("SELECT ") + kVersionCols + kVersionFrom +
                    (image.empty() ? "" : " WHERE v.image = ?") +
                    " ORDER BY v.image, v.major DESC, v.minor DESC, v.patch DESC";
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
  if (!image.empty()) s.Bind(image);
  std::vector<VersionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadVersion(s));
  }
}

Status SqliteCatalog::SetLatest(const std::string& image, const Version& v) {
  auto lock = Begin("move " + image + ":latest to " + v.ToString());
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(auto all, ListLocked(image));
  RETURN_IF_ERROR(SelectVersions(image, {v}, all).status());
  RETURN_IF_ERROR(SetLatestLocked(image, v));
  return tx->Commit();
}

Status SqliteCatalog::CompleteVersion(const std::string& image, const Version& v,
                                      const oci::Digest& manifest, int64_t size) {
  auto lock = Begin("complete " + image + ":" + v.ToString());
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(auto all, ListLocked(image));
  ASSIGN_OR_RETURN(auto found, SelectVersions(image, {v}, all));
  RETURN_IF_ERROR(CheckCompletable(found.front(), manifest));
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("UPDATE versions SET manifest = ?, size = ?, pending = '' "
                                "WHERE image = ? AND major = ? AND minor = ? AND patch = ?"));
  RETURN_IF_ERROR(BindVersion(s.Bind(manifest.str()).Bind(size).Bind(image), v).Run());
  return tx->Commit();
}

Status SqliteCatalog::SetLatestLocked(const std::string& image, const Version& v) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO latest VALUES (?, ?, ?, ?)"));
  return BindVersion(s.Bind(image), v).Run();
}

Status SqliteCatalog::RemoveLocked(const std::string& image,
                                   const std::vector<VersionRecord>& doomed,
                                   const std::vector<VersionRecord>& all) {
  bool latest_gone = false;
  for (const auto& r : doomed) {
    ASSIGN_OR_RETURN(
        Stmt del,
        db_->Prepare(
            "DELETE FROM versions WHERE image = ? AND major = ? AND minor = ? AND patch = ?"));
    RETURN_IF_ERROR(BindVersion(del.Bind(image), r.version).Run());
    latest_gone = latest_gone || r.latest;
  }
  if (!latest_gone) return Status::Ok();
  ASSIGN_OR_RETURN(Stmt clear, db_->Prepare("DELETE FROM latest WHERE image = ?"));
  RETURN_IF_ERROR(clear.Bind(image).Run());
  for (const auto& r : all) {  // newest version first: the first one left becomes latest
    bool gone = std::any_of(doomed.begin(), doomed.end(),
                            [&](const VersionRecord& d) { return d.version == r.version; });
    if (!gone) return SetLatestLocked(image, r.version);
  }
  return Status::Ok();
}

}  // namespace kiln::catalog
