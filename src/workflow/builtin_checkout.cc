// actions/checkout, built in: the local repository (RunOptions::workspace) into the job's
// workspace. With no ref (or the run's own) and no path, the job's copy of the working tree is
// the checkout (builtin_checkout_tree.cc); with a ref or a path, a git checkout of that ref
// (a shallow fetch by default), or a copy of the files when it is no git repository. There is
// no network checkout: another `repository:` is an error.
//
// The checkout runs on the host as kiln's user, and the workspace is the job's to write: git
// works in a private clone under the job's host_dir (never in the workspace, whose .git a step
// may have given hooks or config), and SyncTree puts its files (.git included) into the target,
// which must be a real directory of the workspace (no component a link).
#include <set>

#include "base/fs.h"
#include "base/subprocess.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/builtin_paths.h"
#include "workflow/checkout_git.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {
namespace {

std::string Input(const std::map<std::string, std::string>& with, const std::string& key,
                  const std::string& fallback = "") {
  auto it = with.find(key);
  return it == with.end() || it->second.empty() ? fallback : it->second;
}

// A source that is not a git repository: its files, as they are (symlinks as symlinks), into
// `into` (the target's FdPath); the target itself is left out when it is inside the source
// (--bind).
Status CopyFiles(const std::string& src, const std::string& target, const std::string& into,
                 bool clean) {
  std::set<std::string> skip;
  if (PathWithin(src, target) && NormalizePath(target) != NormalizePath(src))
    skip.insert(NormalizePath(target).substr(NormalizePath(src).size() + 1));
  return SyncTree(src, into, 2, skip, clean).status();
}

struct RefPlan {
  std::string full;    // refs/heads/B, refs/tags/T, or a commit
  std::string branch;  // B when a branch
  std::string fetch;   // the refspec fetched
  std::string checkout;
};

Result<RefPlan> PlanRef(const std::string& src, const std::string& ref) {
  RefPlan p;
  std::string name = ref;
  if (name.empty()) {
    auto head = CheckoutGit(src, {"symbolic-ref", "-q", "HEAD"});
    name = head.ok() ? *head : "";
    if (name.empty()) {
      ASSIGN_OR_RETURN(name, CheckoutGit(src, {"rev-parse", "HEAD"}));
    }
  }
  std::vector<std::string> candidates = {name};
  if (name.rfind("refs/", 0) != 0) candidates = {"refs/heads/" + name, "refs/tags/" + name};
  for (const std::string& full : candidates) {
    if (!CheckoutGit(src, {"rev-parse", "--verify", "-q", full + "^{commit}"}).ok()) continue;
    p.full = full;
    if (full.rfind("refs/heads/", 0) == 0) {
      p.branch = full.substr(11);
      p.fetch = "+" + full + ":refs/remotes/origin/" + p.branch;
      p.checkout = "refs/remotes/origin/" + p.branch;
    } else {
      p.fetch = "+" + full + ":" + full;
      p.checkout = full;
    }
    return p;
  }
  auto sha = CheckoutGit(src, {"rev-parse", "--verify", "-q", name + "^{commit}"});
  if (!sha.ok()) {
    return NotFound("actions/checkout: ref \"" + name +
                    "\" is no branch, tag or commit of the local repository");
  }
  p.full = *sha, p.fetch = *sha, p.checkout = "FETCH_HEAD";
  return p;
}

// Fetches `ref` of `src` into the new private repository `repo` and checks it out there.
Status FetchAndCheckout(const std::string& src, const std::string& repo, const RefPlan& ref,
                        int depth) {
  RETURN_IF_ERROR(MakeDirs(repo, 0755));
  RETURN_IF_ERROR(CheckoutGit(repo, {"init", "-q"}).status());
  RETURN_IF_ERROR(CheckoutGit(repo, {"config", "remote.origin.url", "file://" + src}).status());
  if (depth == 0) {
    RETURN_IF_ERROR(
        CheckoutGit(repo, {"fetch", "-q", "--prune", "origin",
                           "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"})
            .status());
  }
  std::vector<std::string> fetch = {"fetch", "-q", "--no-tags"};
  if (depth > 0) fetch.push_back("--depth=" + std::to_string(depth));
  fetch.push_back("origin");
  fetch.push_back(ref.fetch);
  RETURN_IF_ERROR(CheckoutGit(repo, fetch).status());
  if (!ref.branch.empty()) {
    return CheckoutGit(repo, {"checkout", "-q", "--force", "-B", ref.branch, ref.checkout})
        .status();
  }
  return CheckoutGit(repo, {"checkout", "-q", "--force", "--detach", ref.checkout}).status();
}

// The checkout in a private dir under the job's host_dir (the sandbox never sees it), then its
// files into `target` (its FdPath): an exact copy with `clean`, else over what is there (the
// target's .git is replaced whole either way).
Status GitCheckout(JobContext& ctx, const std::string& src, const std::string& target,
                   const RefPlan& ref, int depth, bool clean, Json& outputs) {
  ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(ctx.host_dir, "checkout-"));
  std::string repo = tmp + "/repo";
  Status s = FetchAndCheckout(src, repo, ref, depth);
  std::string head;
  if (s.ok()) {
    auto h = CheckoutGit(repo, {"rev-parse", "HEAD"});
    s = h.status();
    if (h.ok()) head = *h;
  }
  if (s.ok() && !clean) s = RemoveTree(target + "/.git");
  if (s.ok()) s = SyncTree(repo, target, 2, {}, clean).status();
  Status removed = RemoveTree(tmp);
  RETURN_IF_ERROR(s);
  outputs["ref"] = ref.full;
  outputs["commit"] = head;
  return removed;
}

}  // namespace

Status CheckoutMain(JobContext& ctx, const Step&, const std::map<std::string, std::string>& with,
                    Json& outputs) {
  const std::string src = ResolvedPath(ctx.options->workspace);
  std::string repository = Input(with, "repository");
  const Json& github = ctx.expr.contexts["github"];
  std::string own =
      github.is_object() && github.contains("repository") && github["repository"].is_string()
          ? github["repository"].get<std::string>()
          : "";
  if (!repository.empty() && repository != own) {
    return InvalidArgument("actions/checkout: repository " + repository +
                           ": kiln checks out only the local repository (" +
                           (own.empty() ? std::string("the current directory") : own) +
                           "); it has no network checkout. Clone it in a run: step instead");
  }
  std::string path = Input(with, "path");
  ASSIGN_OR_RETURN(std::string target, HostPathOf(ctx, path));
  if (!PathWithin(WorkspaceHostDir(ctx), target)) {
    return InvalidArgument("actions/checkout: path " + path + " is outside the workspace");
  }
  std::string depth_text = Input(with, "fetch-depth", "1");
  char* end = nullptr;
  long depth = std::strtol(depth_text.c_str(), &end, 10);
  if (*end != '\0' || depth < 0) {
    return InvalidArgument("actions/checkout: fetch-depth must be a number ≥ 0, not " + depth_text);
  }
  bool clean = Input(with, "clean", "true") != "false";
  ASSIGN_OR_RETURN(UniqueFd target_fd,
                   MakeDirsNoFollow(WorkspaceHostDir(ctx), target,
                                    "actions/checkout: path " + (path.empty() ? "." : path)));
  std::string ws = ResolvedPath(WorkspaceHostDir(ctx));
  std::string ref_input = Input(with, "ref");
  bool own_ref = ref_input.empty() || (github.is_object() && github.contains("ref") &&
                                       github["ref"].is_string() && github["ref"] == ref_input);
  // As act: the local repository at its own ref is the working tree the job already has.
  if (own_ref && ResolvedPath(target) == ws && ws != src) {
    return CheckoutWorkingTree(ctx, src, clean, static_cast<int>(depth), outputs);
  }
  bool is_git = PathExists(src + "/.git");
  RefPlan ref;
  if (is_git) {
    ASSIGN_OR_RETURN(ref, PlanRef(src, Input(with, "ref")));
  }
  if (ResolvedPath(target) == src) {
    ctx.Print("actions/checkout: the workspace is the repository itself: left as it is");
    if (is_git) {
      outputs["ref"] = ref.full;
      ASSIGN_OR_RETURN(std::string head, CheckoutGit(src, {"rev-parse", "HEAD"}));
      outputs["commit"] = head;
    }
    return Status::Ok();
  }
  if (PathWithin(ResolvedPath(target), src)) {
    return InvalidArgument("actions/checkout: path " + path + " holds the repository itself");
  }
  if (!is_git) {
    if (!Input(with, "ref").empty()) {
      return InvalidArgument("actions/checkout: ref needs a git repository; " + src +
                             " is not one");
    }
    ctx.Print("actions/checkout: copying " + src + " (not a git repository)");
    return CopyFiles(src, target, FdPath(target_fd), clean);
  }
  for (const char* key : {"submodules", "lfs"}) {
    std::string v = Input(with, key, "false");
    if (v != "false") {
      BuiltinWarning(ctx, std::string("actions/checkout: ") + key + ": " + v +
                              " is not supported by kiln's built-in checkout; ignored");
    }
  }
  ctx.Print("actions/checkout: " + ref.full + " of " + src +
            (depth == 0 ? " (full history)" : " (depth " + std::to_string(depth) + ")"));
  return GitCheckout(ctx, src, FdPath(target_fd), ref, static_cast<int>(depth), clean, outputs);
}

}  // namespace kiln::workflow
