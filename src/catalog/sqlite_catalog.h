// The SQLite implementation of Catalog (internal to catalog/).
#pragma once

#include "catalog/catalog.h"
#include "catalog/sqlite.h"

namespace kiln::catalog {

extern const char kVersionCols[];
extern const char kVersionFrom[];
VersionRecord ReadVersion(const Stmt& s);

class SqliteCatalog : public Catalog {
 public:
  explicit SqliteCatalog(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<VersionRecord> AddVersion(const std::string& image, const VersionSpec& spec,
                                   const NewVersion& nv) override {
    ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
    std::vector<Version> used;
    {
      ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT major, minor, patch FROM allocated WHERE image = ?"));
      s.Bind(image);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        used.push_back({static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2))});
      }
    }
    Version v = NextVersion(used, spec);
    ASSIGN_OR_RETURN(Stmt a, db_->Prepare("INSERT INTO allocated VALUES (?, ?, ?, ?)"));
    RETURN_IF_ERROR(a.Bind(image).Bind(int64_t{v.major}).Bind(int64_t{v.minor}).Bind(int64_t{v.patch}).Run());
    ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(ins.Bind(image).Bind(int64_t{v.major}).Bind(int64_t{v.minor}).Bind(int64_t{v.patch})
                        .Bind(nv.manifest.str()).Bind(nv.size).Bind(nv.created)
                        .Bind(nv.runner_size).Bind(nv.source).Run());
    RETURN_IF_ERROR(SetLatestLocked(image, v));
    RETURN_IF_ERROR(tx->Commit());
    return VersionRecord{image, v, nv.manifest, nv.size, nv.created, nv.runner_size, nv.source, true};
  }

  Result<VersionRecord> Resolve(const std::string& image, const std::string& version) override {
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
    if (!latest) s.Bind(int64_t{want.major}).Bind(int64_t{want.minor}).Bind(int64_t{want.patch});
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) return ReadVersion(s);
    ASSIGN_OR_RETURN(auto all, List(image));
    if (all.empty()) return NotFound("no custom image named " + image);
    std::string have;
    for (const auto& r : all) have += (have.empty() ? "" : ", ") + r.version.ToString();
    return NotFound("image " + image + " has no version " + version + " (it has " + have + ")");
  }

  Result<std::vector<VersionRecord>> List(const std::string& image) override {
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

  Status DeleteVersion(const std::string& image, const Version& v, bool force) override;
  Status SetLatest(const std::string& image, const Version& v) override {
    ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
    RETURN_IF_ERROR(Resolve(image, v.ToString()).status());
    RETURN_IF_ERROR(SetLatestLocked(image, v));
    return tx->Commit();
  }

  Status PutRunner(const RunnerRecord& r) override {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO runners VALUES (?, ?, ?, ?)"));
    return s.Bind(r.name).Bind(r.image).Bind(r.version).Bind(r.size).Run();
  }
  Result<RunnerRecord> GetRunner(const std::string& name) override {
    ASSIGN_OR_RETURN(auto all, ListRunners());
    for (auto& r : all) {
      if (r.name == name) return r;
    }
    return NotFound("no runner named " + name);
  }
  Result<std::vector<RunnerRecord>> ListRunners() override {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT name, image, version, size FROM runners ORDER BY name"));
    std::vector<RunnerRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return out;
      out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
    }
  }
  Status DeleteRunner(const std::string& name) override {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM runners WHERE name = ?"));
    RETURN_IF_ERROR(s.Bind(name).Run());
    return db_->Changes() == 0 ? NotFound("no runner named " + name) : Status::Ok();
  }

  Status SetRetention(const std::string& image, const Retention& r) override {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO retention VALUES (?, ?, ?)"));
    return s.Bind(image).Bind(int64_t{r.keep_newest}).Bind(int64_t{r.max_age_days}).Run();
  }
  Result<Retention> GetRetention(const std::string& image) override {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT keep_newest, max_age_days FROM retention WHERE image IN (?, '*') ORDER BY image = '*'"));
    s.Bind(image);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Retention{};
    return Retention{static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1))};
  }
  Result<std::vector<VersionRecord>> Prune(const std::string& image, int64_t now) override;

 private:
  Status SetLatestLocked(const std::string& image, const Version& v) {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO latest VALUES (?, ?, ?, ?)"));
    return s.Bind(image).Bind(int64_t{v.major}).Bind(int64_t{v.minor}).Bind(int64_t{v.patch}).Run();
  }
  Result<bool> Pinned(const std::string& image, const Version& v, bool is_latest);

  std::unique_ptr<Db> db_;
};


}  // namespace kiln::catalog
