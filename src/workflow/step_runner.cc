// One step: condition, script file, shell, env, live output with workflow commands, and the
// env/path/output files read back afterwards.
#include <algorithm>
#include <cstdio>
#include <random>

#include "base/clock.h"
#include "base/fs.h"
#include "workflow/job_context.h"
#include "workflow/step_canceller.h"

namespace kiln::workflow {
namespace {

std::string Uuid() {
  static std::mt19937_64 gen{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) s += kHex[gen() % 16];
  return s;
}

// GitHub's shells: an explicit `bash` adds --noprofile --norc -o pipefail; the default (no
// shell given) is `bash -e {0}` where bash exists, else `sh -e {0}`.
std::vector<std::string> ShellArgs(const std::string& shell, bool has_bash, const std::string& script) {
  if (shell.empty()) return has_bash ? std::vector<std::string>{"bash", "-e", script}
                                     : std::vector<std::string>{"sh", "-e", script};
  if (shell == "bash") return {"bash", "--noprofile", "--norc", "-eo", "pipefail", script};
  if (shell == "sh") return {"sh", "-e", script};
  if (shell == "python") return {"python", script};
  std::vector<std::string> args;
  std::string word;
  bool replaced = false;
  for (size_t i = 0; i <= shell.size(); ++i) {
    if (i == shell.size() || shell[i] == ' ') {
      if (!word.empty()) {
        size_t p = word.find("{0}");
        if (p != std::string::npos) { word.replace(p, 3, script); replaced = true; }
        args.push_back(word);
      }
      word.clear();
    } else {
      word += shell[i];
    }
  }
  if (!replaced) args.push_back(script);
  return args;
}

Status ReadFileCommands(JobContext& ctx, const std::string& host_env, const std::string& host_path,
                        const std::string& host_out, Json& outputs) {
  auto env_text = ReadFile(host_env);
  if (env_text.ok()) {
    ASSIGN_OR_RETURN(auto kv, ParseKeyValueFile(*env_text));
    for (const auto& [k, v] : kv) SetEnv(ctx.env, k, v);
  }
  auto path_text = ReadFile(host_path);
  if (path_text.ok()) {
    for (const auto& p : ParsePathFile(*path_text)) ctx.paths.insert(ctx.paths.begin(), p);
  }
  auto out_text = ReadFile(host_out);
  if (out_text.ok()) {
    ASSIGN_OR_RETURN(auto kv, ParseKeyValueFile(*out_text));
    for (const auto& [k, v] : kv) outputs[k] = v;
  }
  return Status::Ok();
}

}  // namespace

void SetEnv(EnvMap& env, const std::string& key, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == key) { v = value; return; }
  }
  env.emplace_back(key, value);
}

std::vector<std::string> ProcessEnv(const JobContext& ctx, const EnvMap& step_env) {
  EnvMap env = ctx.env;
  for (const auto& [k, v] : step_env) SetEnv(env, k, v);
  bool step_sets_path = false;
  for (const auto& [k, v] : step_env) step_sets_path |= k == "PATH";
  if (!step_sets_path) {
    std::string path;
    for (const auto& p : ctx.paths) path += p + ":";
    SetEnv(env, "PATH", path + ctx.base_path);
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

void RunStep(JobContext& ctx, const Step& step) {
  StepReport rep;
  auto name = Interpolate(step.name, ctx.expr);
  rep.name = name.ok() ? *name : step.name;
  Json& steps = ctx.expr.contexts["steps"];
  auto record = [&](Outcome outcome, Outcome conclusion, const Json& outputs) {
    rep.outcome = outcome;
    rep.conclusion = conclusion;
    steps[step.id] = {{"outputs", outputs}, {"outcome", OutcomeName(outcome)},
                      {"conclusion", OutcomeName(conclusion)}};
    if (conclusion == Outcome::kCancelled) ctx.expr.status = JobStatus::kCancelled;
    if (conclusion == Outcome::kFailure && ctx.expr.status != JobStatus::kCancelled) {
      ctx.expr.status = JobStatus::kFailure;
    }
    ctx.report.steps.push_back(rep);
  };
  ctx.expr.contexts["env"] = Json::object();
  for (const auto& [k, v] : ctx.env) ctx.expr.contexts["env"][k] = v;
  auto run_it = EvaluateCondition(step.if_expr, ctx.expr);
  if (!run_it.ok() || !*run_it) {
    if (!run_it.ok()) ctx.Print("❌  " + step.pos.ToString() + ": " + run_it.status().message());
    record(run_it.ok() ? Outcome::kSkipped : Outcome::kFailure,
           run_it.ok() ? Outcome::kSkipped : Outcome::kFailure, Json::object());
    return;
  }
  ctx.Print("⭐ Run " + rep.name);
  Stopwatch watch;
  std::string id = Uuid();
  std::string host_temp = ctx.host_dir + "/temp";
  std::string cmd_dir = host_temp + "/_runner_file_commands";
  (void)MakeDirs(cmd_dir);
  std::string files[4] = {"set_env_" + id, "add_path_" + id, "set_output_" + id, "step_summary_" + id};
  for (const auto& f : files) (void)WriteScratchFile(cmd_dir + "/" + f, "");
  auto sandbox_file = [&](int i) { return std::string(kTemp) + "/_runner_file_commands/" + files[i]; };

  EnvMap step_env;
  Status st;
  for (const auto& [k, v] : step.env) {
    ctx.expr.contexts["env"][k] = v;
    auto val = Interpolate(v, ctx.expr);
    if (!val.ok()) { st = val.status(); break; }
    step_env.emplace_back(k, *val);
    ctx.expr.contexts["env"][k] = *val;
  }
  SetEnv(step_env, "GITHUB_ENV", sandbox_file(0));
  SetEnv(step_env, "GITHUB_PATH", sandbox_file(1));
  SetEnv(step_env, "GITHUB_OUTPUT", sandbox_file(2));
  SetEnv(step_env, "GITHUB_STEP_SUMMARY", sandbox_file(3));
  SetEnv(step_env, "GITHUB_ACTION", step.id);
  auto script = st.ok() ? Interpolate(step.run, ctx.expr) : Result<std::string>(st);
  const RunDefaults& jd = ctx.run->job->defaults;
  const RunDefaults& wd = ctx.workflow->defaults;
  std::string shell = !step.shell.empty() ? step.shell : !jd.shell.empty() ? jd.shell : wd.shell;
  std::string wdir = !step.working_directory.empty() ? step.working_directory
                     : !jd.working_directory.empty() ? jd.working_directory : wd.working_directory;
  auto cwd = Interpolate(wdir, ctx.expr);
  int exit_code = -1;
  bool cancelled = false;
  if (script.ok() && cwd.ok()) {
    std::string file = "script-" + id + (shell == "python" ? ".py" : ".sh");
    st = WriteScratchFile(host_temp + "/" + file, *script, 0755);
    std::string in_box = std::string(kTemp) + "/" + file;
    std::string dir = cwd->empty() ? kWorkspace : (*cwd)[0] == '/' ? *cwd : std::string(kWorkspace) + "/" + *cwd;
    runtime::ExecSpec exec{ShellArgs(shell, ctx.has_bash, in_box), ProcessEnv(ctx, step_env), dir, nullptr};
    for (const auto& [k, v] : step_env) ctx.commands.allow_unsecure |= k == "ACTIONS_ALLOW_UNSECURE_COMMANDS" && v == "true";
    for (const auto& [k, v] : ctx.env) ctx.commands.allow_unsecure |= k == "ACTIONS_ALLOW_UNSECURE_COMMANDS" && v == "true";
    std::string out_prefix = StepPrefix(ctx.prefix, rep.name);
    exec.on_line = [&](const std::string& line, bool) {
      std::string display;
      bool hide = HandleCommandLine(line, ctx.commands, &display);
      if (!hide) ctx.PrintAs(out_prefix, "| " + Mask(display.empty() ? line : display, ctx.commands.masks));
    };
    if (st.ok()) {
      // The step's own timeout-minutes, or what is left of the job's if that is sooner (a
      // cancelled job's clean-up steps are not held to the job's limit).
      double limit = step.timeout_minutes * 60;
      bool job_bound = false;
      if (ctx.job_limit_s > 0 && !ctx.cancel_noted) {
        double left = std::max(0.001, ctx.job_limit_s - ctx.job_watch.Seconds());
        if (limit <= 0 || left < limit) {
          limit = left;
          job_bound = true;
        }
      }
      StepCanceller canceller(ctx.sandbox.get(), ctx.options->interrupts, ctx.interrupts_seen, limit,
                              ctx.options->cancel_timings);
      auto r = ctx.sandbox->Exec(exec);
      if (r.ok()) exit_code = *r; else st = r.status();
      cancelled = canceller.interrupted() || (canceller.timed_out() && job_bound);
      ctx.job_timed_out |= canceller.timed_out() && job_bound;
      if (canceller.timed_out() && !job_bound) {
        char minutes[32];
        std::snprintf(minutes, sizeof minutes, "%g", step.timeout_minutes);
        st = Status(Code::kDeadlineExceeded, std::string("timed out (timeout-minutes: ") + minutes + ")");
      }
    }
  } else {
    st = !script.ok() ? script.status() : cwd.status();
  }
  Json outputs = Json::object();
  for (const auto& [k, v] : ctx.commands.outputs) outputs[k] = v;
  ctx.commands.outputs.clear();
  for (const auto& [k, v] : ctx.commands.env) SetEnv(ctx.env, k, v);
  ctx.commands.env.clear();
  for (const auto& p : ctx.commands.paths) ctx.paths.insert(ctx.paths.begin(), p);
  ctx.commands.paths.clear();
  Status files_ok = ReadFileCommands(ctx, cmd_dir + "/" + files[0], cmd_dir + "/" + files[1],
                                     cmd_dir + "/" + files[2], outputs);
  if (st.ok()) st = files_ok;
  rep.exit_code = exit_code;
  rep.seconds = watch.Seconds();
  Outcome outcome = cancelled ? Outcome::kCancelled
                    : st.ok() && exit_code == 0 ? Outcome::kSuccess : Outcome::kFailure;
  auto coe = Interpolate(step.continue_on_error, ctx.expr);
  bool continue_on_error = coe.ok() && (*coe == "true");
  Outcome conclusion = outcome == Outcome::kFailure && continue_on_error ? Outcome::kSuccess : outcome;
  std::string took = " [" + FormatDuration(rep.seconds) + "]";
  if (outcome == Outcome::kSuccess) {
    ctx.Print("  ✅  Success - " + rep.name + took);
  } else if (outcome == Outcome::kCancelled) {
    ctx.Print("  ⛔  Cancelled - " + rep.name + " (exit code " + std::to_string(exit_code) + ")" + took);
  } else if (!st.ok()) {
    ctx.Print("  ❌  Failure - " + rep.name + ": " + st.message() + took);
  } else {
    ctx.Print("  ❌  Failure - " + rep.name + " (exit code " + std::to_string(exit_code) + ")" +
              (continue_on_error ? ", continuing (continue-on-error)" : "") + took);
  }
  record(outcome, conclusion, outputs);
}

}  // namespace kiln::workflow
