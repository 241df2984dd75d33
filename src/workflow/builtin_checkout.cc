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
  ASSIGN_OR_RETURN(std::string head, GitCheckout(ctx.host_dir, src, FdPath(target_fd), ref,
                                                 static_cast<int>(depth), clean));
  outputs["ref"] = ref.full;
  outputs["commit"] = head;
  return Status::Ok();
}

}  // namespace kiln::workflow
