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

#include "base/fd.h"
#include "base/status.h"

namespace kiln::workflow {

// `git -C dir ARGS...`: its stdout without trailing newlines; an error naming the git command
// and its stderr when it exits non-zero.
Result<std::string> CheckoutGit(const std::string& dir, std::vector<std::string> args);

// The path with symlinks resolved (realpath); the normalized path when it does not exist.
std::string ResolvedPath(const std::string& path);

// Makes `target` (`root` or below it) a directory, component by component below `root`, never
// following a link, and opens it: FailedPrecondition when a component is a symlink or no
// directory (a job could point one at any host directory). `shown` names the target in the
// error. Work on the target through FdPath of the fd: a link a job puts in its path later is
// not followed either.
Result<UniqueFd> MakeDirsNoFollow(const std::string& root, const std::string& target,
                                  const std::string& shown);

// "/proc/self/fd/N/.": the directory open as `fd`, whatever its path now.
std::string FdPath(const UniqueFd& fd);

// What a checkout of a ref fetches and checks out (builtin_checkout_git.cc).
struct RefPlan {
  std::string full;    // refs/heads/B, refs/tags/T, or a commit
  std::string branch;  // B when a branch
  std::string fetch;   // the refspec fetched
  std::string checkout;
};

// The ref `ref` of the repository `src` ("" = its HEAD: its branch, or the detached commit): a
// branch, then a tag, then a commit. NotFound names it when it is none.
Result<RefPlan> PlanRef(const std::string& src, const std::string& ref);

// Checks `ref` of `src` out, `depth` commits deep (0 = all history), in a private dir under
// `host_dir` (the sandbox never sees it), then syncs its files into `target` (the target's
// FdPath): an exact copy with `clean`, else over what is there (the target's .git replaced
// whole either way). The commit checked out.
Result<std::string> GitCheckout(const std::string& host_dir, const std::string& src,
                                const std::string& target, const RefPlan& ref, int depth,
                                bool clean);

}  // namespace kiln::workflow
