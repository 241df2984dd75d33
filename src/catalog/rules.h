// The catalogue's rules that do not depend on how it is stored, shared by every Catalog
// implementation so that they agree: runner version spelling, pins, what Prune removes, and
// the NotFound messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kiln::catalog {

// A runner's version as stored: "latest" for "" or "latest", "X.Y.Z" for a version ("1.2"
// becomes "1.2.0"). InvalidArgument otherwise.
Result<std::string> NormalizeRunnerVersion(const std::string& version);

// NotFound for `image`:`version`, naming the versions it has (`all`, newest first), or saying
// there is no such custom image when `all` is empty.
Status NoSuchVersion(const std::string& image, const std::string& version,
                     const std::vector<VersionRecord>& all);

// The records in `all` (one image's versions, newest first) of `wanted`, newest first and
// each once; NotFound naming what exists if one is absent.
Result<std::vector<VersionRecord>> SelectVersions(const std::string& image,
                                                  const std::vector<Version>& wanted,
                                                  const std::vector<VersionRecord>& all);

// Whether `r` may be completed with `manifest` (Catalog::CompleteVersion): Ok when pending,
// or whole with that manifest already; FailedPrecondition when whole with another.
Status CheckCompletable(const VersionRecord& r, const oci::Digest& manifest);

// Ok if no runner pins a version in `doomed` (records of `image`); else FailedPrecondition
// naming each pinned version and its runners. A runner pins the version it names; one that
// follows latest pins the latest version when `leaves_none` (doomed is every version).
Status CheckPins(const std::string& image, const std::vector<VersionRecord>& doomed,
                 bool leaves_none, const std::vector<RunnerRecord>& runners);

// The versions (of one image, any order) that `policy` removes at `now`: past the newest
// keep_newest by creation time, or older than max_age_days; never latest, never one a runner
// names.
std::vector<VersionRecord> PruneSelection(std::vector<VersionRecord> versions,
                                          const Retention& policy,
                                          const std::vector<RunnerRecord>& runners, int64_t now);

}  // namespace kiln::catalog
