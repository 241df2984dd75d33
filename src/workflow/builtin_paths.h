// Paths as the built-in actions take them (internal to workflow/): a step names paths as the
// job sees them (relative to the workspace, `~/…`, /github/workspace/…, /github/home/…); the
// built-ins run on the host and work on the host dirs behind those paths.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "workflow/job_context.h"

namespace kiln::workflow {

// `path` with `.` and `..` resolved lexically ("a/./b/../c" → "a/c"); keeps a leading '/'.
// A `..` above the start stays ("../x").
std::string NormalizePath(const std::string& path);
// Whether `path` is `root` or below it (both normalized, compared by components).
bool PathWithin(const std::string& root, const std::string& path);

// The host path behind a job path: "" and relative → the workspace; "~" and "~/…" → the job's
// home; /github/workspace/… and /github/home/… likewise. InvalidArgument for any other
// absolute path, and for a path whose `..` leaves the workspace or home.
Result<std::string> HostPathOf(const JobContext& ctx, const std::string& job_path);
// The job path of a host path below the workspace or home ("" when neither).
std::string JobPathOf(const JobContext& ctx, const std::string& host_path);

// The non-empty lines of a multi-line input, trimmed.
std::vector<std::string> InputLines(const std::string& text);

struct PathMatches {
  std::vector<std::string> paths;     // host paths matched by the include lines, sorted, unique
  std::vector<std::string> excluded;  // host paths matched by the `!` lines
  // Per include line, its part before the first wildcard (as a host path): where
  // upload-artifact's root directory is computed from.
  std::vector<std::string> search_paths;
  // Whether `host_path` is an excluded path or below one.
  bool Excluded(const std::string& host_path) const;
};
// The paths matching the patterns (one per line, as actions/toolkit's glob takes them): each
// line is a job path with shell wildcards (* ? [..], within one path component; `**` as a
// whole component matches any number of directories); a line starting with `!` excludes what
// it matches and everything below it. Symlinks are not followed while matching.
Result<PathMatches> MatchPatterns(const JobContext& ctx, const std::string& text);

}  // namespace kiln::workflow
