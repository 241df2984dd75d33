// Finding the action a step uses (action_runner.h): the workspace, the built-ins, the action
// cache. kiln never downloads an action.
#include <filesystem>

#include "base/fs.h"
#include "workflow/action_runner.h"
#include "workflow/builtin_safe_fs.h"

namespace kiln::workflow {
namespace {

std::string Clean(std::string p) {
  while (p.rfind("./", 0) == 0) p = p.substr(2);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

// Copies the cached repository into the job's temp dir (once per job), so the sandbox sees it
// at /__w/_temp/_actions/OWNER/REPO@REF.
Status CopyIntoJob(const std::string& from, const std::string& to) {
  if (IsDirectory(to)) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(to).parent_path(), ec);
  std::filesystem::copy(
      from, to,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
  if (ec) return Internal("copying the action " + from + " into the job: " + ec.message());
  return Status::Ok();
}

Result<ResolvedAction> FromCache(JobContext& ctx, const Step& step) {
  const std::string& uses = step.uses;
  size_t at = uses.find('@');
  std::string ref = uses.substr(at + 1), path = uses.substr(0, at);
  size_t slash = path.find('/');
  size_t sub = path.find('/', slash + 1);
  std::string repo = path.substr(0, sub);  // OWNER/REPO
  std::string inner = sub == std::string::npos ? "" : "/" + Clean(path.substr(sub + 1));
  std::string entry = repo + "@" + ref;
  const std::string& cache = ctx.options->action_cache;
  std::string where = step.uses_pos.ToString() + ": ";
  if (cache.empty() || !IsDirectory(JoinPath(cache, entry))) {
    std::string dir = cache.empty() ? "DIR" : cache;
    return NotFound(where + "action " + uses + " is not built into kiln" +
                    (cache.empty() ? " and no --action-cache was given"
                                   : " and not in the action cache " + cache) +
                    "; kiln does not download actions: put a copy of it in --action-cache " + dir +
                    " as " + dir + "/" + entry + " (e.g. git clone --depth 1 --branch " + ref +
                    " https://github.com/" + repo + " " + dir + "/" + entry + ")");
  }
  ResolvedAction a;
  std::string in_job = "_actions/" + entry;
  RETURN_IF_ERROR(CopyIntoJob(JoinPath(cache, entry), ctx.host_dir + "/temp/" + in_job));
  a.host_dir = JoinPath(cache, entry) + inner;
  a.sandbox_dir = std::string(kTemp) + "/" + in_job + inner;
  return a;
}

}  // namespace

std::string ActionWorkspaceDir(const JobContext& ctx) { return WorkspaceHostDir(ctx); }

Result<ResolvedAction> ResolveAction(JobContext& ctx, const Step& step) {
  const std::string& uses = step.uses;
  std::string where = step.uses_pos.ToString() + ": ";
  ResolvedAction a;
  if (uses.rfind("./", 0) == 0) {
    std::string rel = Clean(uses);
    a.host_dir = rel.empty() ? ActionWorkspaceDir(ctx) : JoinPath(ActionWorkspaceDir(ctx), rel);
    a.sandbox_dir = rel.empty() ? kWorkspace : std::string(kWorkspace) + "/" + rel;
  } else if (uses.rfind("docker://", 0) == 0) {
    a.docker_image = uses.substr(9);
    return a;
  } else if ((a.builtin = FindBuiltinAction(uses)) != nullptr) {
    return a;
  } else {
    ASSIGN_OR_RETURN(a, FromCache(ctx, step));
  }
  // A step may leave a symlink in the workspace (uses: ./link): the action must be inside the
  // repository (or its action cache entry), every link resolved.
  std::string root = uses.rfind("./", 0) == 0 ? ActionWorkspaceDir(ctx) : ctx.options->action_cache;
  for (const char* f : {"", "/action.yml", "/action.yaml"}) {
    std::string path = a.host_dir + f;
    if ((*f == 0 || PathExists(path)) && PathExists(a.host_dir) && !RealPathWithin(root, path)) {
      return InvalidArgument(
          where + "action " + uses + ": " + path + " leads out of the " +
          (root == ctx.options->action_cache ? "action cache " + root : std::string("repository")) +
          " through a symlink; kiln runs no action from outside it");
    }
  }
  auto parsed = ParseActionDir(a.host_dir);
  if (!parsed.ok()) {
    if (parsed.status().code() == Code::kNotFound && uses.rfind("./", 0) == 0) {
      // The user's checkout, not the job's copy of it: what they can fix.
      std::string rel = Clean(uses);
      std::string shown =
          rel.empty() ? ctx.options->workspace : JoinPath(ctx.options->workspace, rel);
      return NotFound(where + "action " + uses + ": no action.yml or action.yaml in " + shown +
                      " (a local action's path is relative to the repository root)");
    }
    return Status(parsed.status().code(),
                  where + "action " + uses + ": " + parsed.status().message());
  }
  a.action = std::move(*parsed);
  return a;
}

}  // namespace kiln::workflow
