// The pre and post phases of actions (action_runner.h): GitHub runs an action's `pre` before
// the job's steps and its `post` after them, last registered first, each as a step of its own.
#include "workflow/action_runner.h"
#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

thread_local ActionPhase current_phase = ActionPhase::kMain;

}  // namespace

ActionPhase CurrentActionPhase() { return current_phase; }

void RunPhaseStep(JobContext& ctx, const Step& step, ActionPhase phase) {
  Step s = step;
  s.name = (phase == ActionPhase::kPre ? "Pre " : "Post ") + step.name;
  s.if_expr = "always()";  // the pre-if / post-if was evaluated by the caller
  ActionPhase saved = current_phase;
  current_phase = phase;
  RunStep(ctx, s);
  current_phase = saved;
}

void RegisterPost(JobContext& ctx, const Step& step, const std::string& if_expr) {
  PostStep p;
  p.name = "Post " + step.name;
  p.if_expr = if_expr.empty() ? "always()" : if_expr;
  p.run = [step](JobContext& c) {
    RunPhaseStep(c, step, ActionPhase::kPost);
    return Status::Ok();
  };
  ctx.post_steps.push_back(std::move(p));
}

void RunActionPreSteps(JobContext& ctx) {
  for (const auto& step : ctx.run->job->steps) {
    if (step.uses.empty() || IsSnapshotAction(step.uses)) continue;
    if (step.uses.rfind("docker://", 0) == 0 || FindBuiltinAction(step.uses)) continue;
    auto a = ResolveAction(ctx, step);  // an error is reported by the main step
    bool has_pre =
        a.ok() && (a->action.kind == ActionKind::kNode     ? !a->action.pre.empty()
                   : a->action.kind == ActionKind::kDocker ? !a->action.pre_entrypoint.empty()
                                                           : false);
    if (!has_pre) continue;
    auto go = EvaluateCondition(a->action.pre_if, ctx.expr);
    if (!go.ok()) ctx.Print("❌  " + a->action.file + ": pre-if: " + go.status().message());
    if (go.ok() && *go) RunPhaseStep(ctx, step, ActionPhase::kPre);
  }
}

void RunPostSteps(JobContext& ctx) {
  while (!ctx.post_steps.empty()) {
    PostStep p = std::move(ctx.post_steps.back());
    ctx.post_steps.pop_back();
    auto go = EvaluateCondition(p.if_expr, ctx.expr);
    if (!go.ok()) ctx.Print("❌  " + p.name + ": " + go.status().message());
    if (!go.ok() || !*go) continue;
    Status s = p.run(ctx);
    if (!s.ok()) {
      ctx.Print("  ❌  Failure - " + p.name + ": " + s.message());
      if (ctx.expr.status != JobStatus::kCancelled) ctx.expr.status = JobStatus::kFailure;
    }
  }
}

}  // namespace kiln::workflow
