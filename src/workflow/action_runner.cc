// A step with `uses:` (action_runner.h): resolution done, its inputs, and dispatch by kind.
#include "workflow/action_runner.h"

#include <algorithm>
#include <set>

#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

// `v` as the body of a '…' string literal of the expression language ('' for ').
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The step as its post phase runs it: `with` as evaluated when the main step ran (a step in a
// composite action may refer to the composite's inputs, which are gone by then).
Step WithEvaluated(const Step& step, const std::map<std::string, std::string>& with) {
  Step s = step;
  s.with.clear();
  for (const auto& [k, v] : with) {
    // Kept literal: a value that holds "${{" is not evaluated again.
    s.with[k] = v.find("${{") == std::string::npos ? v : "${{ '" + Escape(v) + "' }}";
  }
  return s;
}

Status RunBuiltin(JobContext& ctx, const Step& step, const ResolvedAction& a,
                  const std::map<std::string, std::string>& with, Json& outputs) {
  if (CurrentActionPhase() == ActionPhase::kPost) {
    return a.builtin->post ? a.builtin->post(ctx, step, with, outputs) : Status::Ok();
  }
  if (CurrentActionPhase() == ActionPhase::kPre) return Status::Ok();
  RETURN_IF_ERROR(a.builtin->main(ctx, step, with, outputs));
  if (a.builtin->post) RegisterPost(ctx, WithEvaluated(step, with), "always()");
  return Status::Ok();
}

}  // namespace

const std::map<std::string, std::string>* ActionState(const JobContext& ctx,
                                                      const std::string& step_id) {
  auto it = ctx.action_state.find(step_id);
  return it == ctx.action_state.end() ? nullptr : &it->second;
}

EnvMap InputEnv(const std::map<std::string, std::string>& inputs) {
  EnvMap env;
  for (const auto& [k, v] : inputs) {
    std::string name = "INPUT_";
    for (char c : k) name += c == ' ' ? '_' : static_cast<char>(std::toupper(c));
    env.emplace_back(name, v);
  }
  return env;
}

std::map<std::string, std::string> ActionInputs(JobContext& ctx, const Step& step,
                                                const Action& action,
                                                const std::map<std::string, std::string>& with) {
  std::map<std::string, std::string> out = with;
  std::set<std::string> declared;
  std::string valid;
  if (action.kind == ActionKind::kDocker) {  // GitHub lets every Docker action take these
    declared = {"entrypoint", "args"};
    valid = "'entryPoint', 'args'";
  }
  for (const auto& in : action.inputs) {
    declared.insert(Lower(in.name));
    valid += (valid.empty() ? "'" : ", '") + in.name + "'";
    bool given = std::any_of(with.begin(), with.end(),
                             [&](const auto& kv) { return Lower(kv.first) == Lower(in.name); });
    if (given) continue;
    if (in.default_value) {
      auto v = Interpolate(*in.default_value, ctx.expr);
      out[in.name] = v.ok() ? *v : *in.default_value;
    } else if (in.required) {
      // GitHub does not enforce `required` either: the action sees an empty input.
      ctx.Print("⚠️  " + step.uses_pos.ToString() + ": input '" + in.name + "' of " +
                step.uses + " is required but not given");
    }
  }
  std::string unexpected;
  for (const auto& [k, v] : with) {
    if (!declared.count(Lower(k))) unexpected += (unexpected.empty() ? "'" : "', '") + k;
  }
  if (!unexpected.empty()) {
    Annotation note;
    note.level = "warning";
    note.message = "Unexpected input(s) " + unexpected + "', valid inputs are [" + valid + "]";
    note.file = step.uses_pos.file;
    note.line = step.uses_pos.line;
    note.column = step.uses_pos.column;
    note.job = ctx.report.name;
    ctx.Print("⚠️  " + step.uses_pos.ToString() + ": " + note.message);
    ctx.report.annotations.push_back(std::move(note));
  }
  return out;
}

Status RunActionStep(JobContext& ctx, const Step& step, const EnvMap& step_env, Json& outputs,
                     ActionExec& exec) {
  ActionPhase phase = CurrentActionPhase();
  if (IsSnapshotAction(step.uses)) {
    return phase == ActionPhase::kMain ? RunSnapshotAction(ctx, step) : Status::Ok();
  }
  ASSIGN_OR_RETURN(ResolvedAction a, ResolveAction(ctx, step));
  std::map<std::string, std::string> with;
  for (const auto& [k, v] : step.with) {
    auto val = Interpolate(v, ctx.expr);
    if (!val.ok()) return val.status().WithContext("with." + k);
    with[k] = *val;
  }
  if (a.builtin) return RunBuiltin(ctx, step, a, with, outputs);
  if (!a.docker_image.empty()) {
    if (phase != ActionPhase::kMain) return Status::Ok();
    ASSIGN_OR_RETURN(exec, DockerExec(ctx, step, a, with, phase));
    return Status::Ok();
  }
  auto inputs = ActionInputs(ctx, step, a.action, with);
  switch (a.action.kind) {
    case ActionKind::kComposite:
      return RunComposite(ctx, step, a, inputs, step_env, outputs);
    case ActionKind::kDocker: {
      const std::string& entry = phase == ActionPhase::kPre    ? a.action.pre_entrypoint
                                 : phase == ActionPhase::kPost ? a.action.post_entrypoint
                                                               : a.action.entrypoint;
      if (phase != ActionPhase::kMain && entry.empty()) return Status::Ok();
      ASSIGN_OR_RETURN(exec, DockerExec(ctx, step, a, inputs, phase));
      if (phase == ActionPhase::kMain && !a.action.post_entrypoint.empty())
        RegisterPost(ctx, WithEvaluated(step, with), a.action.post_if);
      return Status::Ok();
    }
    case ActionKind::kNode: {
      ASSIGN_OR_RETURN(exec, NodeExec(ctx, a, step, inputs, phase));
      if (phase == ActionPhase::kMain && !a.action.post.empty())
        RegisterPost(ctx, WithEvaluated(step, with), a.action.post_if);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace kiln::workflow
