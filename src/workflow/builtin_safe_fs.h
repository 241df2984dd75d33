// File operations of the built-in actions that never follow a symlink out of the job's dirs
// (internal to workflow/). A step may leave any symlink in the workspace or $HOME; the
// built-ins run on the host, so a link followed there would read or write the host's files.
#pragma once

#include <string>

#include "base/status.h"
#include "workflow/job_context.h"

namespace kiln::workflow {

// Whether `path`, every symlink in it resolved (realpath), is `root` (resolved likewise) or
// below it. False when either does not exist.
bool RealPathWithin(const std::string& root, const std::string& path);

// Whether `host_path`, every symlink in it resolved (realpath), is inside the workspace or the
// job's $HOME (they resolved likewise). False when it does not exist.
bool ResolvesInside(const JobContext& ctx, const std::string& host_path);

// Copies the tree `from` (trusted: kiln's own store) into `dest`, a path at or below `root`.
// Every component of `dest` below `root`, and every file and directory written, is opened with
// O_NOFOLLOW: a symlink on the way is refused (FailedPrecondition naming `shown`, the job's
// path of `dest`), so nothing is written outside `root`. Missing directories are made; an
// existing file is replaced, never written into (it may be a hard link to a file elsewhere).
Status CopyTreeNoFollow(const std::string& from, const std::string& root, const std::string& dest,
                        const std::string& shown);

}  // namespace kiln::workflow
