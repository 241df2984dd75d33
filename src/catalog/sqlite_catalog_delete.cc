// Catalog: deleting versions, pins, and the retention policy.
#include <algorithm>

#include "catalog/sqlite_catalog.h"

namespace kiln::catalog {

Result<bool> SqliteCatalog::Pinned(const std::string& image, const Version& v, bool is_latest) {
  ASSIGN_OR_RETURN(auto runners, ListRunners());
  for (const auto& r : runners) {
    if (r.image != image) continue;
    if (r.version == v.ToString() || ((r.version.empty() || r.version == "latest") && is_latest)) {
      return true;
    }
  }
  return false;
}

Status SqliteCatalog::DeleteVersion(const std::string& image, const Version& v, bool force) {
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(VersionRecord rec, Resolve(image, v.ToString()));
  ASSIGN_OR_RETURN(bool pinned, Pinned(image, v, false));
  if (pinned && !force) {
    return FailedPrecondition(image + ":" + v.ToString() +
                              " is pinned by a runner; change the runner or pass --force");
  }
  ASSIGN_OR_RETURN(Stmt del, db_->Prepare(
      "DELETE FROM versions WHERE image = ? AND major = ? AND minor = ? AND patch = ?"));
  RETURN_IF_ERROR(del.Bind(image).Bind(int64_t{v.major}).Bind(int64_t{v.minor}).Bind(int64_t{v.patch}).Run());
  if (rec.latest) {
    ASSIGN_OR_RETURN(Stmt clear, db_->Prepare("DELETE FROM latest WHERE image = ?"));
    RETURN_IF_ERROR(clear.Bind(image).Run());
    ASSIGN_OR_RETURN(auto rest, List(image));  // newest version first
    if (!rest.empty()) RETURN_IF_ERROR(SetLatestLocked(image, rest.front().version));
  }
  return tx->Commit();
}

Result<std::vector<VersionRecord>> SqliteCatalog::Prune(const std::string& image, int64_t now) {
  ASSIGN_OR_RETURN(Retention policy, GetRetention(image));
  std::vector<VersionRecord> removed;
  if (policy.keep_newest <= 0 && policy.max_age_days <= 0) return removed;
  ASSIGN_OR_RETURN(auto versions, List(image));
  // Newest first by creation time, so "keep the newest N" means the N most recent snapshots.
  std::stable_sort(versions.begin(), versions.end(),
                   [](const VersionRecord& a, const VersionRecord& b) { return a.created > b.created; });
  for (size_t i = 0; i < versions.size(); ++i) {
    const VersionRecord& r = versions[i];
    bool too_many = policy.keep_newest > 0 && i >= static_cast<size_t>(policy.keep_newest);
    bool too_old = policy.max_age_days > 0 && now - r.created > int64_t{policy.max_age_days} * 86400;
    if (r.latest || !(too_many || too_old)) continue;
    ASSIGN_OR_RETURN(bool pinned, Pinned(image, r.version, r.latest));
    if (pinned) continue;
    RETURN_IF_ERROR(DeleteVersion(image, r.version, false));
    removed.push_back(r);
  }
  return removed;
}

}  // namespace kiln::catalog
