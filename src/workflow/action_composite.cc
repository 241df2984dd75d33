// A composite action (action_runner.h): its steps run in the job's sandbox, one after the
// other, with a steps context of their own, the `inputs` context, and GITHUB_ACTION_PATH.
#include <utility>
#include <vector>

#include "workflow/action_runner.h"

namespace kiln::workflow {
namespace {

// GitHub allows composite actions nested 10 deep.
constexpr size_t kMaxDepth = 10;

// The composites running on this thread (a job's steps run on one thread): the action's
// directory, and how it was reached ("USES (FILE:LINE:COL)").
thread_local std::vector<std::pair<std::string, std::string>> chain;

std::string ChainText(const std::string& last) {
  std::string out;
  for (const auto& [dir, how] : chain) out += how + " → ";
  return out + last;
}

// What the composite changes in the job's context, put back when it ends.
struct SavedContext {
  Json steps, inputs, action_path;
  JobStatus status;
  size_t reports;
};

}  // namespace

Status RunComposite(JobContext& ctx, const Step& step, const ResolvedAction& a,
                    const std::map<std::string, std::string>& inputs, const EnvMap& step_env,
                    Json& outputs) {
  std::string how = step.uses + " (" + step.uses_pos.ToString() + ")";
  for (const auto& [dir, _] : chain) {
    if (dir == a.host_dir) {
      return FailedPrecondition("composite action uses itself: " + ChainText(how) +
                                "; an action may not use itself, directly or through another");
    }
  }
  if (chain.size() >= kMaxDepth) {
    return FailedPrecondition("composite actions nested more than " + std::to_string(kMaxDepth) +
                              " deep (GitHub's limit): " + ChainText(how));
  }
  Json& c = ctx.expr.contexts;
  SavedContext saved{c["steps"], c["inputs"], c["github"]["action_path"], ctx.expr.status,
                     ctx.report.steps.size()};
  c["steps"] = Json::object();
  c["inputs"] = Json::object();
  for (const auto& [k, v] : inputs) c["inputs"][k] = v;
  c["github"]["action_path"] = a.sandbox_dir;
  ctx.expr.status = JobStatus::kSuccess;
  chain.emplace_back(a.host_dir, how);
  for (const Step& inner : a.action.steps) {
    Step s = inner;
    s.env = step_env;  // the outer step's env, then GITHUB_ACTION_PATH, then the inner step's
    SetEnv(s.env, "GITHUB_ACTION_PATH", a.sandbox_dir);
    for (const auto& [k, v] : inner.env) SetEnv(s.env, k, v);
    // The job's and workflow's `defaults.run` do not reach into an action: the workspace.
    if (s.working_directory.empty()) s.working_directory = kWorkspace;
    RunStep(ctx, s);
  }
  chain.pop_back();
  JobStatus inner_status = ctx.expr.status;
  for (const auto& out : a.action.outputs) {
    auto v = Interpolate(out.value, ctx.expr);
    outputs[out.name] = v.ok() ? *v : "";
  }
  c["steps"] = saved.steps;
  c["inputs"] = saved.inputs;
  c["github"]["action_path"] = saved.action_path;
  ctx.report.steps.resize(saved.reports);  // the composite is one step of the job
  ctx.expr.status = inner_status == JobStatus::kCancelled ? JobStatus::kCancelled : saved.status;
  if (inner_status != JobStatus::kSuccess) {
    return Status(Code::kInternal, "a step of the composite action " + step.uses + " failed");
  }
  return Status::Ok();
}

}  // namespace kiln::workflow
