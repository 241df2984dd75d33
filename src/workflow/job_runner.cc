// One job, as phases: Decide (if/needs) → ChooseTarget → PrepareDirs → PrepareSandbox (the
// engine: image, size, sandbox) → SetUpEnv → RunSteps → CollectOutputs → SnapshotAndPublish (the
// engine, when the job asks and its snapshot `if` holds) → TearDown → CleanUp. The sandbox is
// destroyed whatever happens.
#include "workflow/job_runner.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "catalog/version.h"
#include "jobs/push.h"
#include "jobs/session.h"
#include "workflow/action_runner.h"
#include "workflow/file_commands_io.h"
#include "workflow/image_hint.h"
#include "workflow/job_context.h"
#include "workflow/job_env.h"
#include "workflow/job_pod.h"
#include "workflow/run_call.h"
#include "workflow/setid_strip.h"
#include "workflow/step_commands.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {
namespace {

// Which image and size the job asks for (runs-on, container, runners, labels: runner_config.h).
Status ChooseTarget(JobContext& ctx) {
  const Job& job = *ctx.run->job;
  RunsOn runs_on = job.runs_on;
  for (auto& l : runs_on.labels) {
    ASSIGN_OR_RETURN(l, Interpolate(l, ctx.expr));
  }
  ASSIGN_OR_RETURN(runs_on.image, Interpolate(runs_on.image, ctx.expr));
  std::string container;
  if (job.container) {
    ASSIGN_OR_RETURN(container, Interpolate(job.container->image, ctx.expr));
  }
  ASSIGN_OR_RETURN(ctx.target, ChooseRunner(job, runs_on, container, ctx.options->runners));
  return Status::Ok();
}

// The job's /github/workspace: its own copy of the checkout (workspace_copy.h), or with --bind
// the checkout itself.
Status PrepareWorkspace(JobContext& ctx) {
  ctx.workspace_host = ctx.options->workspace;
  if (ctx.options->bind_workspace) return Status::Ok();
  Stopwatch watch;
  std::string copy = ctx.host_dir + "/workspace";
  SyncStats mirror;
  Status s = MakeWorkspaceCopy(ctx.engine->state_dir(), ctx.options->workspace, copy, &mirror,
                               ctx.options->workspace_skip);
  if (!s.ok()) return s.WithContext("workspace copy (--bind mounts the checkout instead)");
  ctx.workspace_host = copy;
  ctx.Print("📂  workspace copied in " + FormatDuration(watch.Seconds()) + " (" +
            std::to_string(mirror.files_copied) + " files changed since the last run)");
  return Status::Ok();
}

// The job's host dirs (temp/, home/, workflow/) and the mounts that show them in the sandbox.
Status PrepareDirs(JobContext& ctx) {
  // 0700: the step scripts in temp/ may hold secrets; no other host user may read them.
  RETURN_IF_ERROR(MakeDirs(ctx.host_dir, 0700));
  for (const char* d : {"temp", "home", "workflow"})
    RETURN_IF_ERROR(MakeDirs(ctx.host_dir + "/" + d));
  ASSIGN_OR_RETURN(ctx.temp_fd, OpenTempDir(ctx.host_dir + "/temp"));
  RETURN_IF_ERROR(
      WriteScratchFile(ctx.host_dir + "/workflow/event.json", EventPayload(*ctx.options)));
  RETURN_IF_ERROR(PrepareWorkspace(ctx));
  ctx.mounts = {{ctx.workspace_host, kWorkspace, false},
                {ctx.host_dir + "/temp", kTemp, false},
                {ctx.host_dir + "/home", kHome, false},
                {ctx.host_dir + "/workflow", kWorkflowDir, false}};
  return Status::Ok();
}

// Whether the image has bash, from its layers (an exec would cost a sandbox round trip). An
// image of no layers (the host runtime of tests) runs on the host, which has bash.
bool HasBash(const std::vector<std::string>& lower_dirs) {
  for (auto it = lower_dirs.rbegin(); it != lower_dirs.rend(); ++it) {
    for (const char* p : {"/usr/bin/bash", "/bin/bash"}) {
      struct stat st;
      if (::lstat((*it + p).c_str(), &st) == 0) return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode);
    }
  }
  return lower_dirs.empty();
}

Status PrepareSandbox(JobContext& ctx, jobs::JobSession& session) {
  Stopwatch watch;
  RETURN_IF_ERROR(session.PrepareSandbox());
  ctx.image = session.image();
  ctx.sandbox = &session.sandbox();
  ctx.has_bash = HasBash(ctx.image.lower_dirs);
  ctx.report.image = ctx.image.ref;
  ctx.report.size = session.size().name;
  ctx.Print("🚀  Set up job: image " + ctx.image.ref + " (" + ctx.target.via + "), size " +
            session.size().name);
  ctx.Print("🐳  sandbox " + ctx.sandbox->id() + " ready in " + FormatDuration(watch.Seconds()) +
            (ctx.sandbox->from_pool() ? " (from the warm pool)" : ""));
  return Status::Ok();
}

// Masks what the job's report holds (the summary and --json print it): names, errors,
// outputs. Step names were masked with the secrets when the step ran; ::add-mask values from
// later steps are applied here.
void MaskReport(JobReport& report, const MaskSet& masks) {
  report.name = Mask(report.name, masks);
  report.error = Mask(report.error, masks);
  for (auto& s : report.steps) s.name = Mask(s.name, masks);
  for (auto& [k, v] : report.outputs) v = Mask(v, masks);
  for (auto& a : report.annotations)
    for (std::string* f : {&a.message, &a.title, &a.file, &a.job}) *f = Mask(*f, masks);
  report.summary = Mask(report.summary, masks);
}

}  // namespace

void MaskReportWithSecrets(JobReport& report, const RunOptions& options, const RunOptions* more) {
  MaskSet masks;
  for (const RunOptions* o : {&options, more}) {
    if (o == nullptr) continue;
    for (const auto& [k, v] : o->secrets) (void)masks.Add(v);  // past the cap: the rest stay
  }
  MaskReport(report, masks);
}

namespace {

// Decide: whether the job runs at all (its `if`, its needs). False when it was skipped or its
// condition failed; the report says which.
bool Decide(JobContext& ctx, bool needs_ok) {
  auto go = EvaluateCondition(ctx.run->job->if_expr, ctx.expr);
  if (go.ok() && *go) return true;
  ctx.report.error = go.ok()
                         ? (needs_ok ? "skipped: if is false"
                                     : "skipped: a job it needs (or one of theirs) did not succeed")
                         : go.status().message();
  ctx.report.result = go.ok() ? Outcome::kSkipped : Outcome::kFailure;
  ctx.Print(go.ok() ? "⏭  " + ctx.report.error : "❌  " + ctx.report.error);
  return false;
}

// As act does, a job whose runs-on label maps to no image is skipped with a warning (jobs
// that need it are skipped too), unless --strict-labels makes that an error.
bool SkipUnmappedLabel(JobContext& ctx, const Status& chosen) {
  if (chosen.ok() || ctx.options->strict_labels || !IsUnmappedLabel(chosen)) return false;
  ctx.report.result = Outcome::kSkipped;
  ctx.report.error = "skipped: " + chosen.message() + " (--strict-labels fails the run instead)";
  ctx.Print("⚠️  " + ctx.report.error);
  MaskReport(ctx.report, ctx.commands.masks);
  return true;
}

// A failed job whose continue-on-error (an expression, with the job's contexts) is true
// succeeds for the run and the jobs that need it; its report says it continued.
void ContinueOnError(JobContext& ctx) {
  if (ctx.report.result != Outcome::kFailure) return;
  auto coe = Interpolate(ctx.run->job->continue_on_error, ctx.expr);
  if (!coe.ok() || *coe != "true") return;
  ctx.report.result = Outcome::kSuccess;
  ctx.report.continued = true;
}

void RunSteps(JobContext& ctx) {
  ctx.job_limit_s = ctx.run->job->timeout_minutes * 60;
  ctx.job_watch = Stopwatch();
  RunActionPreSteps(ctx);  // JavaScript actions' `pre:` (action_runner.h)
  for (const auto& step : ctx.run->job->steps) {
    int interrupts = ctx.options->interrupts ? ctx.options->interrupts() : 0;
    if ((interrupts > 0 || ctx.job_timed_out) && !ctx.cancel_noted) {
      // GitHub cancels a job that outlives its timeout-minutes, as it does on a cancel request.
      ctx.cancel_noted = true;
      ctx.expr.status = JobStatus::kCancelled;
      ctx.report.error =
          interrupts > 0 ? "cancelled" : "cancelled: the job ran longer than its timeout-minutes";
      ctx.interrupts_seen = interrupts;
      ctx.Print("⛔  " + ctx.report.error +
                "; later steps run only if their if: holds (always(), cancelled())");
    }
    RunStep(ctx, step);
  }
  RunPostSteps(ctx);  // actions' `post:`, last registered first
  ctx.report.result = ctx.expr.status == JobStatus::kSuccess     ? Outcome::kSuccess
                      : ctx.expr.status == JobStatus::kCancelled ? Outcome::kCancelled
                                                                 : Outcome::kFailure;
}

void CollectOutputs(JobContext& ctx) {
  for (const auto& [k, v] : ctx.run->job->outputs) {
    auto val = Interpolate(v, ctx.expr);
    if (val.ok()) ctx.report.outputs[k] = *val;
  }
}

// Whether the finished job's `snapshot:` is taken: never for a cancelled job; else its `if`
// (default success()) with the job's result as status. *why says why not.
bool ShouldSnapshot(const JobContext& ctx, std::string* why) {
  const SnapshotSpec& spec = *ctx.run->job->snapshot;
  Outcome r = ctx.report.result;
  if (r == Outcome::kCancelled) {
    *why = "job was cancelled";
    return false;
  }
  ExprContext expr;
  expr.status = r == Outcome::kSuccess ? JobStatus::kSuccess : JobStatus::kFailure;
  auto ok = EvaluateCondition(spec.if_expr, expr);
  if (!ok.ok()) {
    *why = ok.status().message();
    return false;
  }
  if (!*ok)
    *why = "snapshot if (" + spec.if_expr + ") is false for a job that ended in " + OutcomeName(r);
  return *ok;
}

// snapshot `push:`: the new version as REPO:<version> and REPO:latest in each repository. The
// version stays published locally when a push fails; the error fails the job.
Status PushVersion(JobContext& ctx, const catalog::VersionRecord& v,
                   const std::vector<std::string>& repos) {
  if (repos.empty()) return Status::Ok();
  std::string local = v.image + ":" + v.version.ToString();
  // Waits for the version's layer blob when it is still being written in the background.
  ASSIGN_OR_RETURN(images::Image whole, ctx.engine->ResolveImage(local));
  const content::LoadedImage& image = whole.loaded;
  auto log = [&ctx](const std::string& line) { ctx.Print(line); };
  for (const auto& repo : repos) {
    for (const std::string& tag : {v.version.ToString(), std::string("latest")}) {
      auto pushed = jobs::PushToRegistry(*ctx.engine, image, repo + ":" + tag, log);
      if (!pushed.ok()) {
        return pushed.status().WithContext("📸  " + local +
                                           " is saved locally, but its push failed");
      }
    }
  }
  return Status::Ok();
}

Status SnapshotAndPublish(JobContext& ctx, jobs::JobSession& session) {
  if (!ctx.run->job->snapshot) return Status::Ok();
  const SnapshotSpec& spec = *ctx.run->job->snapshot;
  std::string why;
  if (!ShouldSnapshot(ctx, &why)) {
    ctx.Print("📸  no snapshot of " + spec.image_name + ": " + why);
    return Status::Ok();
  }
  jobs::SnapshotRequest req;
  req.image_name = spec.image_name;
  ASSIGN_OR_RETURN(req.version, catalog::ParseVersionSpec(spec.version));
  req.persist_env = spec.persist_env;
  if (spec.persist_env) {
    req.final_env = ProcessEnv(ctx, {});
    for (const auto& [k, v] : ctx.options->secrets) req.secret_names.push_back(k);
    req.masks = ctx.commands.masks.longest_first();
  }
  RETURN_IF_ERROR(session.Snapshot(req));
  ASSIGN_OR_RETURN(catalog::VersionRecord version, session.Publish());
  return PushVersion(ctx, version, spec.push);
}

// After the sandbox is gone: the job's host dirs, set-id files a background process made after
// the last step's walk (step_runner.cc), and the masks over what the report holds.
void CleanUp(JobContext& ctx) {
  (void)RemoveTree(ctx.host_dir);
  if (ctx.sandbox != nullptr && ctx.options->bind_workspace) {  // a copy went with host_dir
    auto stripped = StripSetIdBits(ctx.options->workspace);
    if (!stripped.ok()) {
      ctx.report.result = Outcome::kFailure;
      ctx.report.error = "workspace: " + stripped.status().message();
      ctx.Print("❌  " + ctx.report.error);
    }
  }
  MaskReport(ctx.report, ctx.commands.masks);
}

void Fail(JobContext& ctx, const Status& s, const std::string& what) {
  ctx.report.result = Outcome::kFailure;
  ctx.report.error = s.message();
  ctx.Print("❌  " + what + s.message());
}

}  // namespace

void JobContext::PrintAs(const std::string& line_prefix, const std::string& line, bool mask) const {
  // Every line of the job's log: its prefix too (a step's name can hold a secret).
  std::string text = mask ? Mask(line_prefix + line, commands.masks) : line_prefix + line;
  if (options->out)
    options->out(text);
  else
    std::printf("%s\n", text.c_str()), std::fflush(stdout);
}

std::string StepPrefix(const std::string& job_prefix, const std::string& step_name) {
  std::string name = step_name;
  if (name.size() > 32) {
    size_t n = 32;
    while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;  // mid-character
    name = name.substr(0, n) + "…";
  }
  std::string base =
      job_prefix.size() >= 2 ? job_prefix.substr(0, job_prefix.size() - 2) : job_prefix;
  return base + " › " + name + "] ";
}

JobReport RunJob(const Workflow& wf, const JobRun& run, const Json& needs, JobStatus needs_status,
                 const RunOptions& options, jobs::Engine& engine, const std::string& run_id) {
  JobContext ctx;
  ctx.workflow = &wf;
  ctx.run = &run;
  ctx.options = &options;
  ctx.run_id = run_id;
  // A called job's display is CALLER/JOB already; its prefix begins with the top workflow's name.
  ctx.prefix = "[" + (options.call_root_name.empty() ? wf.name : options.call_root_name) + "/" +
               run.display + "] ";
  ctx.report = JobReport{};
  ctx.report.workflow = wf.file;
  ctx.report.id = run.job->id;
  ctx.report.name = run.display;
  for (const auto& [k, v] : options.secrets) {
    Status added = ctx.commands.masks.Add(v);
    if (!added.ok() && ctx.commands.mask_error.ok()) ctx.commands.mask_error = added;
  }
  ctx.expr.contexts["needs"] = needs;
  SetUpJobContexts(ctx);  // github, inputs, vars, secrets, env…: for if, runs-on, the pod
  ctx.expr.status = needs_status;
  Stopwatch watch;
  if (!Decide(ctx, needs_status == JobStatus::kSuccess)) {
    MaskReport(ctx.report, ctx.commands.masks);
    return ctx.report;
  }
  ctx.expr.status = JobStatus::kSuccess;
  static std::atomic<uint64_t> job_seq{0};  // jobs run at once: each needs a dir of its own
  ctx.host_dir = options.scratch_dir + "/" + run_id + "-" + std::to_string(++job_seq);
  ctx.engine = &engine;
  Status s = ChooseTarget(ctx);
  if (SkipUnmappedLabel(ctx, s)) return ctx.report;
  if (s.ok()) s = PrepareDirs(ctx);
  jobs::JobRequest request;
  request.name = wf.name + "/" + run.display;
  request.image = ctx.target.image;
  request.size = ctx.target.size;
  request.network = ctx.target.network;
  request.mounts = ctx.mounts;
  for (const char* d : {"temp", "home", "workflow"})
    request.disk_dirs.push_back(ctx.host_dir + "/" + d);
  if (!options.bind_workspace) request.disk_dirs.push_back(ctx.host_dir + "/workspace");
  request.source = "workflow " + wf.file + ", job " + run.job->id + ", run " + run_id;
  request.log = [&ctx](const std::string& l) { ctx.Print(l); };
  jobs::JobSession session(engine, std::move(request));
  ctx.engine = &engine;
  ctx.session = &session;
  JobPod pod;  // services:, container options (job_pod.h)
  bool in_pod = NeedsPod(*run.job);
  if (in_pod) {
    ctx.session = nullptr;
    if (s.ok() && run.job->snapshot)
      s = InvalidArgument(
          "snapshot: is not supported for a job with services: or container "
          "options, volumes, ports or credentials");
    if (s.ok()) s = pod.Start(ctx);
    if (s.ok()) ctx.has_bash = HasBash(ctx.image.lower_dirs);
  } else if (s.ok()) {
    s = PrepareSandbox(ctx, session);
  }
  if (!s.ok()) {
    Fail(ctx, WithImageHint(s), "set up failed: ");
    if (options.interrupts && options.interrupts() > 0) ctx.report.result = Outcome::kCancelled;
  } else {
    SetUpEnv(ctx);
    if (in_pod) {
      pod.AddContexts(ctx);
    } else if (run.job->container) {
      ctx.expr.contexts["job"]["container"] = {{"id", ctx.sandbox->id()},
                                               {"network", ctx.target.network}};
    }
    RunSteps(ctx);
    CollectOutputs(ctx);
    PrintJobSummary(ctx);
    Status snap = SnapshotAndPublish(ctx, session);
    if (!snap.ok()) Fail(ctx, snap, "");
  }
  (void)session.TearDown();
  if (Status down = pod.TearDown(); !down.ok()) ctx.Print("⚠️  " + down.message());
  CleanUp(ctx);
  ctx.report.seconds = watch.Seconds();
  ContinueOnError(ctx);
  ctx.Print(ctx.report.continued ? "🏁  Job failed in " + FormatDuration(ctx.report.seconds) +
                                       ", continuing (continue-on-error)"
            : ctx.report.result == Outcome::kSuccess
                ? "🏁  Job succeeded in " + FormatDuration(ctx.report.seconds)
                : "🏁  Job " + OutcomeName(ctx.report.result) + " in " +
                      FormatDuration(ctx.report.seconds));
  return ctx.report;
}

}  // namespace kiln::workflow
