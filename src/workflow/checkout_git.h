// git for the built-in actions/checkout (builtin_checkout*.cc), which runs on the host as kiln's
// user: git runs only in repositories the job cannot write (the user's own, and kiln's private
// clone under the job's host_dir), never in the job's workspace; its files reach the workspace
// through SyncTree (workspace_copy.h), which follows no link. git runs as a subprocess (no
// shell) with kiln's environment minus GIT_* (a GIT_DIR of a hook kiln runs in would redirect
// it), no system config, no hooks, no fsmonitor, no credential prompt, and safe.directory for
// any owner (the repository may belong to another user than kiln's).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::workflow {

// `git -C dir ARGS...`: its stdout without trailing newlines; an error naming the git command
// and its stderr when it exits non-zero.
Result<std::string> CheckoutGit(const std::string& dir, std::vector<std::string> args);

// The path with symlinks resolved (realpath); the normalized path when it does not exist.
std::string ResolvedPath(const std::string& path);

// Makes `target` (`root` or below it) a directory, component by component below `root`, never
// following a link: FailedPrecondition when a component is a symlink or no directory (a job
// could point one at any host directory). `shown` names the target in the error.
Status MakeDirsNoFollow(const std::string& root, const std::string& target,
                        const std::string& shown);

}  // namespace kiln::workflow
