// Catalog on SQLite: runners and retention policies.
#include "catalog/rules.h"
#include "catalog/sqlite_catalog.h"

namespace kiln::catalog {

Status SqliteCatalog::PutRunner(const RunnerRecord& r) {
  ASSIGN_OR_RETURN(std::string version, NormalizeRunnerVersion(r.version));
  auto lock = Begin("record runner " + r.name);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO runners (name, image, version, "
                                        "size, network) VALUES (?, ?, ?, ?, ?)"));
  return s.Bind(r.name).Bind(r.image).Bind(version).Bind(r.size).Bind(r.network).Run();
}

Result<RunnerRecord> SqliteCatalog::GetRunner(const std::string& name) {
  auto lock = Begin("look up runner " + name);
  ASSIGN_OR_RETURN(auto all, RunnersLocked());
  for (auto& r : all) {
    if (r.name == name) return r;
  }
  return NotFound("no runner named " + name);
}

Result<std::vector<RunnerRecord>> SqliteCatalog::ListRunners() {
  auto lock = Begin("list runners");
  return RunnersLocked();
}

Result<std::vector<RunnerRecord>> SqliteCatalog::RunnersLocked() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT name, image, version, size, network FROM runners "
                                        "ORDER BY name"));
  std::vector<RunnerRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  }
}

Status SqliteCatalog::DeleteRunner(const std::string& name) {
  auto lock = Begin("delete runner " + name);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM runners WHERE name = ?"));
  RETURN_IF_ERROR(s.Bind(name).Run());
  return db_->Changes() == 0 ? NotFound("no runner named " + name) : Status::Ok();
}

Status SqliteCatalog::SetRetention(const std::string& image, const Retention& r) {
  auto lock = Begin("record the retention policy of " + image);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO retention VALUES (?, ?, ?)"));
  return s.Bind(image).Bind(int64_t{r.keep_newest}).Bind(int64_t{r.max_age_days}).Run();
}

Result<Retention> SqliteCatalog::GetRetention(const std::string& image) {
  auto lock = Begin("look up the retention policy of " + image);
  return RetentionLocked(image);
}

Result<Retention> SqliteCatalog::RetentionLocked(const std::string& image) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT keep_newest, max_age_days FROM retention WHERE "
                                        "image IN (?, '*') ORDER BY image = '*'"));
  s.Bind(image);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Retention{};
  return Retention{static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1))};
}

}  // namespace kiln::catalog
