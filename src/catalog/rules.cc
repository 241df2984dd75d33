#include "catalog/rules.h"

#include <algorithm>

namespace kiln::catalog {
namespace {

bool FollowsLatest(const RunnerRecord& r) { return r.version.empty() || r.version == "latest"; }

// Whether runner `r` names `v` of `image` (tolerating "1.2" from before schema version 2).
bool Names(const RunnerRecord& r, const std::string& image, const Version& v) {
  if (r.image != image || FollowsLatest(r)) return false;
  auto pinned = ParseVersion(r.version);
  return pinned.ok() && *pinned == v;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

Result<std::string> NormalizeRunnerVersion(const std::string& version) {
  if (version.empty() || version == "latest") return std::string("latest");
  auto v = ParseVersion(version);
  if (!v.ok())
    return InvalidArgument("runner version must be latest or a version like 1.2.0, not \"" +
                           version + "\"");
  return v->ToString();
}

Status NoSuchVersion(const std::string& image, const std::string& version,
                     const std::vector<VersionRecord>& all) {
  if (all.empty()) return NotFound("no custom image named " + image);
  std::vector<std::string> have;
  for (const auto& r : all) have.push_back(r.version.ToString());
  return NotFound("image " + image + " has no version " + version + " (it has " + Join(have) + ")");
}

Result<std::vector<VersionRecord>> SelectVersions(const std::string& image,
                                                  const std::vector<Version>& wanted,
                                                  const std::vector<VersionRecord>& all) {
  std::vector<VersionRecord> out;
  for (const auto& r : all) {  // newest first, each once
    if (std::find(wanted.begin(), wanted.end(), r.version) != wanted.end()) out.push_back(r);
  }
  for (const auto& v : wanted) {
    bool found =
        std::any_of(all.begin(), all.end(), [&](const VersionRecord& r) { return r.version == v; });
    if (!found) return NoSuchVersion(image, v.ToString(), all);
  }
  return out;
}

Status CheckCompletable(const VersionRecord& r, const oci::Digest& manifest) {
  if (r.is_pending() || r.manifest == manifest) return Status::Ok();
  return FailedPrecondition(r.image + ":" + r.version.ToString() + " is already whole, as " +
                            r.manifest.str() + ", not " + manifest.str());
}

Status CheckPins(const std::string& image, const std::vector<VersionRecord>& doomed,
                 bool leaves_none, const std::vector<RunnerRecord>& runners) {
  std::vector<std::string> problems;
  size_t count = 0;
  for (const auto& rec : doomed) {
    std::vector<std::string> by;
    for (const auto& r : runners) {
      if (Names(r, image, rec.version)) by.push_back(r.name);
      if (leaves_none && rec.latest && r.image == image && FollowsLatest(r)) {
        by.push_back(r.name + " (it follows latest, and no version would be left)");
      }
    }
    if (by.empty()) continue;
    count += by.size();
    problems.push_back(image + ":" + rec.version.ToString() + " is pinned by runner" +
                       (by.size() > 1 ? "s " : " ") + Join(by));
  }
  if (problems.empty()) return Status::Ok();
  std::string msg;
  for (const auto& p : problems) msg += p + "; ";
  return FailedPrecondition(msg + (count > 1 ? "remove the runners" : "remove the runner") +
                            " or use --force");
}

std::vector<VersionRecord> PruneSelection(std::vector<VersionRecord> versions,
                                          const Retention& policy,
                                          const std::vector<RunnerRecord>& runners, int64_t now) {
  std::vector<VersionRecord> out;
  if (policy.keep_newest <= 0 && policy.max_age_days <= 0) return out;
  // Newest first by creation time, so "keep the newest N" means the N most recent snapshots;
  // ties by version, newest first.
  std::stable_sort(versions.begin(), versions.end(),
                   [](const VersionRecord& a, const VersionRecord& b) {
                     return a.created != b.created ? a.created > b.created : a.version > b.version;
                   });
  for (size_t i = 0; i < versions.size(); ++i) {
    const VersionRecord& r = versions[i];
    bool too_many = policy.keep_newest > 0 && i >= static_cast<size_t>(policy.keep_newest);
    bool too_old =
        policy.max_age_days > 0 && now - r.created > int64_t{policy.max_age_days} * 86400;
    if (r.latest || !(too_many || too_old)) continue;
    bool pinned = std::any_of(runners.begin(), runners.end(), [&](const RunnerRecord& run) {
      return Names(run, r.image, r.version);
    });
    if (!pinned) out.push_back(r);
  }
  return out;
}

}  // namespace kiln::catalog
