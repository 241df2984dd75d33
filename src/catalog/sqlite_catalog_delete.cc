// Catalog on SQLite: deleting versions all-or-nothing, and the retention policy.
#include <algorithm>

#include "catalog/rules.h"
#include "catalog/sqlite_catalog.h"

namespace kiln::catalog {

Result<std::vector<VersionRecord>> SqliteCatalog::DeleteLocked(const std::string& image,
                                                               const std::vector<Version>* versions,
                                                               bool force) {
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(auto all, ListLocked(image));
  std::vector<VersionRecord> doomed = all;
  if (versions != nullptr) {
    ASSIGN_OR_RETURN(doomed, SelectVersions(image, *versions, all));
  } else if (all.empty()) {
    return NoSuchVersion(image, "", all);
  }
  if (!force) {
    ASSIGN_OR_RETURN(auto runners, RunnersLocked());
    RETURN_IF_ERROR(CheckPins(image, doomed, doomed.size() == all.size(), runners));
  }
  RETURN_IF_ERROR(RemoveLocked(image, doomed, all));
  RETURN_IF_ERROR(tx->Commit());
  return doomed;
}

Result<std::vector<VersionRecord>> SqliteCatalog::DeleteVersions(
    const std::string& image, const std::vector<Version>& versions, bool force) {
  std::string what;
  for (const auto& v : versions) what += (what.empty() ? "" : ", ") + image + ":" + v.ToString();
  auto lock = Begin("delete " + what);
  return DeleteLocked(image, &versions, force);
}

Result<std::vector<VersionRecord>> SqliteCatalog::DeleteImage(const std::string& image,
                                                              bool force) {
  auto lock = Begin("delete every version of " + image);
  return DeleteLocked(image, nullptr, force);
}

Result<std::vector<VersionRecord>> SqliteCatalog::Prune(const std::string& image, int64_t now) {
  auto lock = Begin("prune " + image);
  ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(Retention policy, RetentionLocked(image));
  ASSIGN_OR_RETURN(auto all, ListLocked(image));
  ASSIGN_OR_RETURN(auto runners, RunnersLocked());
  std::vector<VersionRecord> doomed = PruneSelection(all, policy, runners, now);
  if (doomed.empty()) return doomed;
  RETURN_IF_ERROR(RemoveLocked(image, doomed, all));
  RETURN_IF_ERROR(tx->Commit());
  return doomed;
}

}  // namespace kiln::catalog
