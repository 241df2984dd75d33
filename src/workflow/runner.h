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

struct JobReport {
  std::string workflow, id, name;
  std::string image, size;
  Outcome result = Outcome::kSkipped;
  double seconds = 0;
  std::string error;  // set-up failures, snapshot failures
  std::vector<StepReport> steps;
  std::map<std::string, std::string> outputs;
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
  std::string only_job;              // act's -j
  std::string event = "push";
  RunnerConfig runners;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> env;  // extra env for every job (--env)
  std::string workspace;             // host dir bind-mounted at /github/workspace
  std::string scratch_dir;           // per-run job dirs (temp, home, event)
  std::function<void(const std::string&)> out;  // one line of output; default stdout
  // How many times the run has been interrupted (Ctrl-C, SIGTERM); unset = never. The first
  // interrupt cancels the run as GitHub cancels one: the running step is stopped (SIGINT, then
  // SIGTERM after 7.5 s, then SIGKILL after 2.5 s; step_canceller.h) and is `cancelled`, the
  // job's later steps run only if their `if:` holds when cancelled (always(), cancelled()), and
  // no further job starts. A second interrupt stops those clean-up steps as well.
  std::function<int()> interrupts;
  CancelTimings cancel_timings;
};

// Jobs run on `engine` (jobs/session.h): their sandboxes, and the snapshots of jobs that ask.
Result<RunReport> RunWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                               jobs::Engine& engine);

// The summary table people see at the end, and the same as JSON for --json.
std::string FormatSummary(const RunReport& report);
Json ReportJson(const RunReport& report);

}  // namespace kiln::workflow
