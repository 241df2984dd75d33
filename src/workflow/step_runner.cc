// One step: condition, script file, shell, env, live output with workflow commands, and the
// env/path/output files read back afterwards.
#include <algorithm>
#include <cstdio>

#include "base/clock.h"
#include "jobs/snapshot_handler.h"
#include "workflow/action_runner.h"
#include "workflow/file_commands_io.h"
#include "workflow/job_context.h"
#include "workflow/setid_strip.h"
#include "workflow/step_canceller.h"
#include "workflow/step_commands.h"

namespace kiln::workflow {
namespace {

constexpr const char* kFileVars[] = {"GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT",
                                     "GITHUB_STEP_SUMMARY"};

// Reads back GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT safely (file_commands_io.h).
Status ReadFileCommands(JobContext& ctx, const std::string (&files)[4], Json& outputs) {
  ASSIGN_OR_RETURN(std::string env_text,
                   ReadCommandFile(ctx.temp_fd.get(), files[0], kFileVars[0]));
  auto env_kv = ParseKeyValueFile(env_text);
  if (!env_kv.ok()) return env_kv.status().WithContext(kFileVars[0]);
  EnvIndex index(ctx.env);
  for (const auto& [k, v] : *env_kv) index.Set(k, v);
  ASSIGN_OR_RETURN(std::string path_text,
                   ReadCommandFile(ctx.temp_fd.get(), files[1], kFileVars[1]));
  for (const auto& p : ParsePathFile(path_text)) ctx.paths.insert(ctx.paths.begin(), p);
  ASSIGN_OR_RETURN(std::string out_text,
                   ReadCommandFile(ctx.temp_fd.get(), files[2], kFileVars[2]));
  auto out_kv = ParseKeyValueFile(out_text);
  if (!out_kv.ok()) return out_kv.status().WithContext(kFileVars[2]);
  for (const auto& [k, v] : *out_kv) outputs[k] = v;
  return Status::Ok();
}

// Makes what the step left in the host dirs the sandbox writes to harmless (set-id bits, file
// capabilities, device nodes); every mount is walked, the first error returned.
Status StripSetIdInMounts(const JobContext& ctx) {
  Status first;
  for (const auto& m : ctx.mounts) {
    if (m.read_only) continue;
    auto r = StripSetIdBits(m.source);
    if (!r.ok() && first.ok()) first = r.status();
  }
  return first;
}

// Where one output stream of a step is: inside a line split at 64 KiB (base/subprocess.h),
// dropping a cut workflow command, and the bytes kept back for masking across the cut.
struct LineState {
  bool mid_line = false;
  bool dropping = false;
  MaskCarry carry;
};

}  // namespace

void RunStep(JobContext& ctx, const Step& step) {
  StepReport rep;
  // An implicit name is shown as written; any name on one line (it prefixes log lines).
  auto name =
      step.name_implicit ? Result<std::string>(step.name) : Interpolate(step.name, ctx.expr);
  std::string shown = name.ok() ? *name : step.name;
  rep.name = Mask(shown.substr(0, shown.find('\n')), ctx.commands.masks);
  Json& steps = ctx.expr.contexts["steps"];
  auto record = [&](Outcome outcome, Outcome conclusion, const Json& outputs) {
    rep.outcome = outcome;
    rep.conclusion = conclusion;
    // As on GitHub, steps.<id> is the main phase's: a post phase (which has no outputs) never
    // replaces it, so job outputs evaluated after the post steps still see the main outputs.
    if (CurrentActionPhase() != ActionPhase::kPost) {
      steps[step.id] = {{"outputs", outputs},
                        {"outcome", OutcomeName(outcome)},
                        {"conclusion", OutcomeName(conclusion)}};
    }
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
  // A step without a name is named "Run <its command>" already (parse.cc).
  ctx.Print((rep.name.rfind("Run ", 0) == 0 ? "⭐ " : "⭐ Run ") + rep.name);
  Stopwatch watch;
  std::string id = NewStepId();
  std::string files[4] = {"set_env_" + id, "add_path_" + id, "set_output_" + id,
                          "step_summary_" + id};
  auto sandbox_file = [&](int i) {
    return std::string(kTemp) + "/" + kCommandDir + "/" + files[i];
  };

  EnvMap step_env;
  std::string state_file = "save_state_" + id;  // GITHUB_STATE (step_commands.h)
  Status made = CreateCommandFiles(
      ctx.temp_fd.get(), {files[0], files[1], files[2], files[3], state_file}, ctx.files_owner);
  Status st = made;
  for (const auto& [k, v] : step.env) {
    if (!st.ok()) break;
    ctx.expr.contexts["env"][k] = v;
    auto val = Interpolate(v, ctx.expr);
    if (!val.ok()) {
      st = val.status();
      break;
    }
    step_env.emplace_back(k, *val);
    ctx.expr.contexts["env"][k] = *val;
  }
  EnvIndex step_index(step_env);
  for (int i = 0; i < 4; ++i) step_index.Set(kFileVars[i], sandbox_file(i));
  step_index.Set("GITHUB_STATE", std::string(kTemp) + "/" + kCommandDir + "/" + state_file);
  step_index.Set("GITHUB_ACTION", step.id);
  bool action = !step.uses.empty();
  Json action_outputs = Json::object();
  ActionExec action_exec;  // a process the action runs in the sandbox (action_runner.h)
  if (action && st.ok()) st = RunActionStep(ctx, step, step_env, action_outputs, action_exec);
  auto script = st.ok() ? Interpolate(step.run, ctx.expr) : Result<std::string>(st);
  const RunDefaults& jd = ctx.run->job->defaults;
  const RunDefaults& wd = ctx.workflow->defaults;
  // The shell may be an expression (`shell: ${{ env.MY_SHELL }}`), evaluated as act does; a
  // container: job with no shell named runs `sh -e`, as GitHub's runner and act do.
  auto shell_or = Interpolate(!step.shell.empty() ? step.shell
                              : !jd.shell.empty() ? jd.shell
                                                  : wd.shell,
                              ctx.expr);
  if (!shell_or.ok() && script.ok()) script = shell_or.status();
  std::string shell = shell_or.ok() ? *shell_or : "";
  if (shell.empty() && ctx.run->job->container) shell = "sh";
  std::string wdir = !step.working_directory.empty() ? step.working_directory
                     : !jd.working_directory.empty() ? jd.working_directory
                                                     : wd.working_directory;
  auto cwd = Interpolate(wdir, ctx.expr);
  int exit_code = -1;
  bool cancelled = false;
  // The script may hold interpolated secrets: 0700 in the job's 0700 dir, removed after the step.
  std::string file = "script-" + id + (shell == "python" ? ".py" : ".sh");
  if (action && !action_exec.exec) {
    exit_code = st.ok() ? 0 : 1;
  } else if (script.ok() && cwd.ok()) {
    if (!action) st = WriteStepScript(ctx.temp_fd.get(), file, *script, ctx.files_owner);
    std::string in_box = std::string(kTemp) + "/" + file;
    std::string dir = cwd->empty()       ? kWorkspace
                      : (*cwd)[0] == '/' ? *cwd
                                         : std::string(kWorkspace) + "/" + *cwd;
    runtime::ExecSpec exec;
    exec.args = action ? action_exec.args : ShellArgs(shell, ctx.has_bash, in_box);
    for (const auto& [k, v] : action_exec.env) step_index.Set(k, v);
    exec.env = ProcessEnv(ctx, step_env);
    exec.cwd = action ? action_exec.cwd : dir;
    // kiln-snapshot in the step: a catalogue version of the job's sandbox as it is now.
    if (ctx.session != nullptr && action_exec.sandbox == nullptr)
      exec.on_snapshot = jobs::SessionSnapshotHandler(*ctx.session);
    BeginStepCommands(ctx, step_env);
    std::string out_prefix = StepPrefix(ctx.prefix, rep.name);
    size_t masks_seen = ctx.commands.masks.size();
    LineState streams[2];  // stdout, stderr
    exec.on_line = [&](const std::string& piece, bool is_stderr, bool unfinished) {
      LineState& ls = streams[is_stderr ? 1 : 0];
      bool starts_line = !ls.mid_line;
      ls.mid_line = unfinished;
      if (!ctx.commands.mask_error.ok()) return;      // a value went unmasked: print nothing more
      if (ctx.commands.masks.size() != masks_seen) {  // an ::add-mask:: may hide part of the name
        masks_seen = ctx.commands.masks.size();
        out_prefix = StepPrefix(ctx.prefix, Mask(rep.name, ctx.commands.masks));
      }
      if (starts_line && unfinished && piece.rfind("::", 0) == 0) {
        ls.dropping = true;  // a command cut by the 64 KiB split: neither run nor printed
        ctx.PrintAs(out_prefix, "| (a workflow command line over 64 KiB was ignored)");
      }
      if (ls.dropping) {
        ls.dropping = unfinished;
        return;
      }
      // Only a whole line is a workflow command: the rest of a split line is text.
      std::string display;
      bool hide = starts_line && !unfinished && HandleCommandLine(piece, ctx.commands, &display);
      if (hide || !ctx.commands.mask_error.ok()) return;
      for (size_t at = 0, nl; !display.empty() && at <= display.size(); at = nl + 1) {
        nl = std::min(display.find('\n', at), display.size());  // one printed line each
        MaskCarry none;
        ctx.PrintAs(out_prefix,
                    "| " + MaskPiece(ctx.commands.masks, none, display.substr(at, nl - at), false),
                    /*mask=*/false);
      }
      if (!display.empty()) return;
      std::string shown =
          MaskPiece(ctx.commands.masks, ls.carry, display.empty() ? piece : display, unfinished);
      if (!shown.empty() || !unfinished) ctx.PrintAs(out_prefix, "| " + shown, /*mask=*/false);
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
      runtime::Sandbox* box = action_exec.sandbox ? action_exec.sandbox : ctx.sandbox;
      StepCanceller canceller(box, ctx.options->interrupts, ctx.interrupts_seen, limit,
                              ctx.options->cancel_timings);
      auto r = box->Exec(exec);
      if (r.ok())
        exit_code = *r;
      else
        st = r.status();
      cancelled = canceller.interrupted() || (canceller.timed_out() && job_bound);
      ctx.job_timed_out |= canceller.timed_out() && job_bound;
      if (canceller.timed_out() && !job_bound) {
        char minutes[32];
        std::snprintf(minutes, sizeof minutes, "%g", step.timeout_minutes);
        st = Status(Code::kDeadlineExceeded,
                    std::string("timed out (timeout-minutes: ") + minutes + ")");
      }
    }
  } else if (st.ok()) {
    st = !script.ok() ? script.status() : cwd.status();
  }
  if (st.ok()) st = ctx.commands.mask_error;
  Json outputs = action_outputs;
  for (const auto& [k, v] : ctx.commands.outputs) outputs[k] = v;
  ctx.commands.outputs.clear();
  for (const auto& [k, v] : ctx.commands.env) SetEnv(ctx.env, k, v);
  ctx.commands.env.clear();
  for (const auto& p : ctx.commands.paths) ctx.paths.insert(ctx.paths.begin(), p);
  ctx.commands.paths.clear();
  RemoveStepFile(ctx.temp_fd.get(), file);
  Status files_ok = made.ok() ? ReadFileCommands(ctx, files, outputs) : Status::Ok();
  Status commands_ok = EndStepCommands(ctx, step, made.ok(), files[3], state_file);
  for (const auto& f : files) RemoveStepFile(ctx.temp_fd.get(), std::string(kCommandDir) + "/" + f);
  RemoveStepFile(ctx.temp_fd.get(), std::string(kCommandDir) + "/" + state_file);
  if (st.ok()) st = files_ok;
  if (st.ok()) st = commands_ok;
  Status setid_ok = StripSetIdInMounts(ctx);
  if (st.ok()) st = setid_ok;
  rep.exit_code = exit_code;
  rep.seconds = watch.Seconds();
  Outcome outcome = cancelled                   ? Outcome::kCancelled
                    : st.ok() && exit_code == 0 ? Outcome::kSuccess
                                                : Outcome::kFailure;
  auto coe = Interpolate(step.continue_on_error, ctx.expr);
  bool continue_on_error = coe.ok() && (*coe == "true");
  Outcome conclusion =
      outcome == Outcome::kFailure && continue_on_error ? Outcome::kSuccess : outcome;
  std::string took = " [" + FormatDuration(rep.seconds) + "]";
  if (outcome == Outcome::kSuccess) {
    ctx.Print("  ✅  Success - " + rep.name + took);
  } else if (outcome == Outcome::kCancelled) {
    ctx.Print("  ⛔  Cancelled - " + rep.name + " (exit code " + std::to_string(exit_code) + ")" +
              took);
  } else if (!st.ok()) {
    ctx.Print("  ❌  Failure - " + rep.name + ": " + st.message() + took);
  } else {
    ctx.Print("  ❌  Failure - " + rep.name + " (exit code " + std::to_string(exit_code) + ")" +
              (continue_on_error ? ", continuing (continue-on-error)" : "") + took);
  }
  record(outcome, conclusion, outputs);
}

}  // namespace kiln::workflow
