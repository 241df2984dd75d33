// A JavaScript action (runs.using: node12/16/20; action_runner.h): `node SCRIPT` in the job's
// sandbox, with the image's own node (kiln bundles none).
#include <sys/stat.h>

#include "workflow/action_runner.h"

namespace kiln::workflow {
namespace {

// Whether `node` is on the job's PATH in the image's layers (an image of no layers: the host
// runtime of tests, where the host's PATH counts).
bool HasNode(const JobContext& ctx) {
  const auto& layers = ctx.image.lower_dirs;
  if (layers.empty()) return true;
  std::string path;
  for (const auto& p : ctx.paths) path += p + ":";
  path += ctx.base_path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir[0] != '/') continue;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
      struct stat st;
      if (::lstat((*it + dir + "/node").c_str(), &st) == 0) return true;
    }
  }
  return false;
}

}  // namespace

Result<ActionExec> NodeExec(const JobContext& ctx, const ResolvedAction& a, const Step& step,
                            const std::map<std::string, std::string>& inputs, ActionPhase phase) {
  const Action& act = a.action;
  if (!HasNode(ctx)) {
    return FailedPrecondition(step.uses_pos.ToString() + ": " + step.uses + " is a JavaScript (" +
                              act.using_ + ") action and the job's image " + ctx.image.ref +
                              " has no node on its PATH; JavaScript actions need it (use an "
                              "image with node, e.g. map the runs-on label with -P to one)");
  }
  const std::string& script = phase == ActionPhase::kPre    ? act.pre
                              : phase == ActionPhase::kPost ? act.post
                                                            : act.main;
  ActionExec ex;
  ex.exec = true;
  ex.args = {"node", a.sandbox_dir + "/" + script};
  ex.env = InputEnv(inputs);
  ex.env.emplace_back("GITHUB_ACTION_PATH", a.sandbox_dir);
  if (const auto* state = ActionState(ctx, step.id)) {
    for (const auto& [k, v] : *state) ex.env.emplace_back("STATE_" + k, v);
  }
  ex.cwd = kWorkspace;
  return ex;
}

}  // namespace kiln::workflow
