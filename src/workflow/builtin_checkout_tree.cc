// actions/checkout of the local repository into the job's own copy of its working tree (as act,
// which copies the working tree and skips the checkout): the job tests the tree as it is,
// uncommitted changes included. clean re-syncs the copy (what earlier steps changed is undone,
// what git ignores is left out); fetch-depth makes the copy's .git a clone of HEAD that deep.
#include <cerrno>
#include <cstdio>
#include <set>

#include "base/fs.h"
#include "base/subprocess.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/checkout_git.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {
namespace {

std::string Out(const Result<std::string>& r) { return r.ok() ? *r : ""; }

// Replaces ws/.git by a clone of the repository's HEAD, `depth` commits deep (0 = all history),
// so `git log` in the job shows what a GitHub checkout of that depth shows; the index is HEAD's
// (read-tree: no stat data, so the job's git compares contents), so the uncommitted changes
// show as changes. git runs only in the private clone (under host_dir, which the sandbox never
// sees), never in the workspace: its .git, hooks and config are the job's to write. `outputs`:
// ref and commit.
Status CloneGitDir(JobContext& ctx, const std::string& src, const std::string& ws, int depth,
                   Json& outputs) {
  ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(ctx.host_dir, "checkout-"));
  const std::string repo = tmp + "/repo";
  std::vector<std::string> clone = {"clone", "-q", "--no-checkout"};
  if (depth > 0) clone.push_back("--depth=" + std::to_string(depth));
  clone.push_back("file://" + src);
  clone.push_back(repo);
  Status s = CheckoutGit(tmp, clone).status();
  std::string head = Out(CheckoutGit(src, {"rev-parse", "HEAD"}));
  // A detached HEAD is not what clone checks out: fetch that commit and detach on it.
  if (s.ok() && !head.empty() && Out(CheckoutGit(repo, {"rev-parse", "HEAD"})) != head) {
    std::vector<std::string> fetch = {"fetch", "-q", "--no-tags"};
    if (depth > 0) fetch.push_back("--depth=" + std::to_string(depth));
    fetch.push_back("origin");
    fetch.push_back(head);
    s = CheckoutGit(repo, fetch).status();
    if (s.ok()) s = CheckoutGit(repo, {"update-ref", "--no-deref", "HEAD", head}).status();
  }
  if (s.ok()) s = CheckoutGit(repo, {"read-tree", "HEAD"}).status();
  if (s.ok()) {
    auto branch = CheckoutGit(repo, {"symbolic-ref", "-q", "HEAD"});
    auto commit = CheckoutGit(repo, {"rev-parse", "HEAD"});
    s = commit.status();
    if (commit.ok()) {
      outputs["ref"] = branch.ok() && !branch->empty() ? *branch : *commit;
      outputs["commit"] = *commit;
    }
  }
  if (s.ok()) s = RemoveTree(ws + "/.git");
  if (s.ok() && std::rename((repo + "/.git").c_str(), (ws + "/.git").c_str()) != 0)
    s = ErrnoStatus("rename the clone's .git into the workspace", errno);
  Status removed = RemoveTree(tmp);
  if (!s.ok()) return s.WithContext("actions/checkout: fetch-depth " + std::to_string(depth));
  return removed;
}

// A job container's non-root --user owns the workspace (job_pod.cc gave it the copy); what the
// sync and the clone wrote is kiln's until given back. -P -h: no symlink is followed.
Status GiveBackToUser(const JobContext& ctx, const std::string& ws) {
  if (ctx.files_owner.uid < 0) return Status::Ok();
  std::string owner =
      std::to_string(ctx.files_owner.uid) + ":" + std::to_string(ctx.files_owner.gid);
  return RunChecked({"chown", "-R", "-P", "-h", owner, "--", ws})
      .status()
      .WithContext("actions/checkout: give the workspace to the job's --user");
}

}  // namespace

Status CheckoutWorkingTree(JobContext& ctx, const std::string& src, bool clean, int depth,
                           Json& outputs) {
  const std::string ws = WorkspaceHostDir(ctx);
  std::string line = "actions/checkout: the workspace already holds the working tree of " + src +
                     ", uncommitted changes included";
  // A repository with commits gets a fresh .git from a clone below: the sync leaves it out.
  bool git = PathExists(src + "/.git") && CheckoutGit(src, {"rev-parse", "HEAD"}).ok();
  if (clean) {
    std::set<std::string> skip = GitIgnored(src);
    if (git) skip.insert(".git");
    ASSIGN_OR_RETURN(SyncStats synced, SyncTree(src, ws, 2, skip));
    line += "; clean: synced again (" + std::to_string(synced.files_copied) + " files copied, " +
            std::to_string(synced.entries_removed) + " removed)";
  } else {
    line += "; clean: false: what earlier steps wrote is kept";
  }
  ctx.Print(line);
  if (!git)
    return GiveBackToUser(ctx, ws);  // no repository, or no commits: the files are all there is
  RETURN_IF_ERROR(CloneGitDir(ctx, src, ws, depth, outputs));
  return GiveBackToUser(ctx, ws);
}

}  // namespace kiln::workflow
