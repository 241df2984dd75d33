// Running workflows: plan the jobs, run each in a sandbox (one long-lived container per job,
// each step exec'd into it), stream output live, and report every job and step with its result
// and duration.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "jobs/engine.h"
#include "workflow/model.h"
#include "workflow/runner_config.h"
#include "workflow/step_canceller.h"

namespace kiln::workflow {

enum class Outcome { kSuccess, kFailure, kSkipped, kCancelled };
std::string OutcomeName(Outcome o);

struct StepReport {
  std::string name;
  Outcome outcome = Outcome::kSkipped;     // before continue-on-error
  Outcome conclusion = Outcome::kSkipped;  // after it
  int exit_code = 0;
  double seconds = 0;
};

// A ::error::/::warning::/::notice:: annotation, listed at the end of the run.
struct Annotation {
  std::string level;  // error, warning, notice
  std::string message, title, file;
  int line = 0, column = 0;
  std::string job;  // display name of the job that made it
};

struct JobReport {
  std::string workflow, id, name;
  std::string image, size;
  Outcome result = Outcome::kSkipped;
  // The job failed but its continue-on-error was true: result is kSuccess (it fails no run,
  // the jobs that need it run and see needs.<id>.result success, as on GitHub).
  bool continued = false;
  double seconds = 0;
  std::string error;  // set-up failures, snapshot failures
  std::vector<StepReport> steps;
  std::map<std::string, std::string> outputs;
  std::vector<Annotation> annotations;
  std::string summary;  // what the steps wrote to GITHUB_STEP_SUMMARY (markdown), in order
};

struct RunReport {
  std::vector<JobReport> jobs;
  // Workflows that ran nothing because `on:` lacks RunOptions::event, each as
  // "FILE: on: [EVENTS] does not include EVENT", so a named file never runs nothing silently.
  std::vector<std::string> not_triggered;
  bool success = true;
  double seconds = 0;
};

struct RunOptions {
  std::string only_job;  // act's -j: this job and the jobs it needs, transitively
  // The triggering event (--event); "" = none given: then, as act chooses, the single event of
  // a workflow file named on the command line (named_file), else "push" (ChooseEvent).
  std::string event;
  // The workflow was named on the command line as a file (not found in a directory): a run of
  // it that would start no job is an error saying why (InvalidArgument) instead of a note.
  bool named_file = false;
  // The most jobs running at once (act's --concurrent-jobs): jobs whose `needs` have all
  // finished start in plan order while fewer run. 0 = the number of CPUs; < 0 is invalid.
  int concurrent_jobs = 0;
  RunnerConfig runners;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> env;     // extra env for every job (--env, --env-file, .env)
  std::map<std::string, std::string> vars;    // the vars context (--var, --var-file, .vars)
  std::map<std::string, std::string> inputs;  // --input, --input-file (typed per workflow)
  // The github context as act builds it from the repository, the event payload and flags
  // (workflow/github_context.h); the runner adds the per-job keys (job, workflow, action, …).
  // null = kiln's built-in placeholders.
  Json github;
  bool in_call = false;  // the jobs of a called (reusable) workflow: inputs per workflow_call
  // In a call: the name of the top-level workflow, which begins the called jobs' log prefix
  // ([CALLER_WORKFLOW/caller/job]).
  std::string call_root_name;
  bool dry_run = false;        // -n: plan and print each job and step, run nothing
  bool verbose = false;        // ::debug:: lines are shown
  bool strict_labels = false;  // a runs-on label mapped to no image fails instead of skipping
  std::string action_cache;    // --action-cache DIR: remote actions as DIR/OWNER/REPO@REF
  std::string artifact_dir;    // --artifact-server-path: upload/download-artifact store
  std::string cache_dir;       // actions/cache store (default under the state dir)
  // The branch actions/cache falls back to (RepoDefaultBranch) when neither -e nor
  // --defaultbranch gave one; "" = the payload's repository.default_branch.
  std::string cache_default_branch;
  // The workspace: copied for each run (default) or bind-mounted as is (--bind).
  bool bind_workspace = false;
  std::string workspace;  // the repository on the host (the current directory)
  // Files kiln read this run's secrets from (.secrets, --secret-file): those inside the
  // repository are left out of every job's workspace copy (and of the mirror it is made from).
  std::vector<std::string> workspace_skip;
  std::string scratch_dir;  // per-run job dirs (temp, home, event)
  // One line of output; default stdout. Jobs run on threads of their own: RunWorkflows calls
  // this (or prints) for one line at a time, so lines never mix.
  std::function<void(const std::string&)> out;
  // How many times the run has been interrupted (Ctrl-C, SIGTERM); unset = never. The first
  // interrupt cancels the run as GitHub cancels one: the running step is stopped (SIGINT, then
  // SIGTERM after 7.5 s, then SIGKILL after 2.5 s; step_canceller.h) and is `cancelled`, the
  // job's later steps run only if their `if:` holds when cancelled (always(), cancelled()), and
  // no further job starts. A second interrupt stops those clean-up steps as well.
  std::function<int()> interrupts;
  CancelTimings cancel_timings;
};

// Plans every workflow (an error in any runs nothing), then runs the jobs, each on a thread
// of its own once the jobs it needs have finished, at most options.concurrent_jobs at once;
// report.jobs is in plan order (workflows in order, each in PlanRun's order) whatever order
// the jobs finished in, and holds every job that started. InvalidArgument for a -j job that
// no workflow has (naming the jobs there are), for a named_file run that starts nothing, and
// for a workflow_dispatch/workflow_call input that is missing or not of its type (inputs.h).
// With dry_run, nothing runs: DryRunWorkflows (selection.h) prints the plan instead.
// Jobs run on `engine` (jobs/session.h): their sandboxes, and the snapshots of jobs that ask.
// Thread safety: the engine, runners.runner_lookup, `out` and `interrupts` are used from every
// job's thread at once (the engine is thread-safe; runner_lookup must be).
Result<RunReport> RunWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                               jobs::Engine& engine);

// The event a run is for: options.event when given; else the single event in `on:` of a
// workflow file named on the command line; else "push" (act's cmd/root.go).
std::string ChooseEvent(const std::vector<Workflow>& workflows, const RunOptions& options);

// The summary table people see at the end, and the same as JSON for --json.
std::string FormatSummary(const RunReport& report);
Json ReportJson(const RunReport& report);

}  // namespace kiln::workflow
