// Finding the action a step uses (action_runner.h): the workspace, the built-ins, the action
// cache. kiln never downloads an action.
#include <filesystem>

#include "base/fs.h"
#include "workflow/action_runner.h"
#include "workflow/builtin_safe_fs.h"
#include "workflow/parse_util.h"

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

// Where OWNER/REPO[/PATH]@REF is in the action cache: OWNER/REPO@REF, and /PATH.
struct CacheEntry {
  std::string repo, ref, entry, inner;
};
CacheEntry EntryOf(const std::string& uses) {
  size_t at = uses.find('@');
  CacheEntry e;
  e.ref = uses.substr(at + 1);
  std::string path = uses.substr(0, at);
  size_t slash = path.find('/');
  size_t sub = path.find('/', slash + 1);
  e.repo = path.substr(0, sub);  // OWNER/REPO
  e.inner = sub == std::string::npos ? "" : "/" + Clean(path.substr(sub + 1));
  e.entry = e.repo + "@" + e.ref;
  return e;
}

// NotFound, naming the step and the fix, when the action cache has no copy of the action.
Status CheckInCache(const std::string& cache, const Step& step) {
  CacheEntry e = EntryOf(step.uses);
  if (!cache.empty() && IsDirectory(JoinPath(cache, e.entry))) return Status::Ok();
  std::string dir = cache.empty() ? "DIR" : cache;
  return NotFound(step.uses_pos.ToString() + ": action " + step.uses + " is not built into kiln" +
                  (cache.empty() ? " and no --action-cache was given"
                                 : " and not in the action cache " + cache) +
                  "; kiln does not download actions: put a copy of it in --action-cache " + dir +
                  " as " + dir + "/" + e.entry + " (e.g. git clone --depth 1 --branch " + e.ref +
                  " https://github.com/" + e.repo + " " + dir + "/" + e.entry + ")");
}

// A local action's missing action.yml, shown in the user's checkout (what they can fix).
Status LocalMissing(const Step& step, const std::string& workspace) {
  std::string rel = Clean(step.uses);
  std::string shown = rel.empty() ? workspace : JoinPath(workspace, rel);
  return NotFound(step.uses_pos.ToString() + ": action " + step.uses +
                  ": no action.yml or action.yaml in " + shown +
                  " (a local action's path is relative to the repository root)");
}

Result<ResolvedAction> FromCache(JobContext& ctx, const Step& step) {
  const std::string& cache = ctx.options->action_cache;
  RETURN_IF_ERROR(CheckInCache(cache, step));
  CacheEntry e = EntryOf(step.uses);
  const std::string& entry = e.entry;
  const std::string& inner = e.inner;
  ResolvedAction a;
  std::string in_job = "_actions/" + entry;
  RETURN_IF_ERROR(CopyIntoJob(JoinPath(cache, entry), ctx.host_dir + "/temp/" + in_job));
  a.host_dir = JoinPath(cache, entry) + inner;
  a.sandbox_dir = std::string(kTemp) + "/" + in_job + inner;
  return a;
}

}  // namespace

std::string ActionWorkspaceDir(const JobContext& ctx) { return WorkspaceHostDir(ctx); }

Status CheckActionFound(const RunOptions& options, const Step& step) {
  const std::string& uses = step.uses;
  if (uses.empty() || uses.rfind("docker://", 0) == 0 || IsSnapshotAction(uses) ||
      FindBuiltinAction(uses) != nullptr)
    return Status::Ok();
  if (uses.rfind("./", 0) != 0) return CheckInCache(options.action_cache, step);
  std::string rel = Clean(uses);
  std::string dir = rel.empty() ? options.workspace : JoinPath(options.workspace, rel);
  for (const char* f : {"/action.yml", "/action.yaml"})
    if (PathExists(dir + f)) return Status::Ok();
  return LocalMissing(step, options.workspace);
}

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
    if (parsed.status().code() == Code::kNotFound && uses.rfind("./", 0) == 0)
      return LocalMissing(step, ctx.options->workspace);
    return Status(parsed.status().code(),
                  where + "action " + uses + ": " + parsed.status().message());
  }
  a.action = std::move(*parsed);
  return a;
}

}  // namespace kiln::workflow
