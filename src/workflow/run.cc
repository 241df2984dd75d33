// RunWorkflows, in phases: choose the event → plan every workflow (an error in any runs
// nothing) → make the options safe to share between job threads → schedule the jobs
// (scheduler.cc) → the report, in plan order.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/job_pod.h"
#include "workflow/run_plan.h"
#include "workflow/runner.h"
#include "workflow/selection.h"

namespace kiln::workflow {
namespace {

// The options as job threads share them: whole lines out one at a time (stdout by default).
RunOptions SharedOptions(const RunOptions& options, const std::string& event) {
  RunOptions o = options;
  o.event = event;
  auto out_mu = std::make_shared<std::mutex>();
  o.out = [out_mu, inner = options.out](const std::string& line) {
    std::lock_guard lock(*out_mu);
    if (inner) {
      inner(line);
    } else {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
    }
  };
  return o;
}

size_t Concurrency(const RunOptions& options) {
  if (options.concurrent_jobs > 0) return static_cast<size_t>(options.concurrent_jobs);
  return std::max(1u, std::thread::hardware_concurrency());  // act's default: the CPUs
}

}  // namespace

Result<RunReport> RunWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                               jobs::Engine& engine) {
  if (options.concurrent_jobs < 0) return InvalidArgument("concurrent jobs must be at least 1");
  Stopwatch watch;
  std::string event = ChooseEvent(workflows, options);
  if (options.dry_run) return DryRunWorkflows(workflows, options);
  ASSIGN_OR_RETURN(RunPlan plan, PlanWorkflows(workflows, options, event));
  RETURN_IF_ERROR(CheckInputs(workflows, plan, options, event));
  RETURN_IF_ERROR(MakeDirs(options.scratch_dir, 0700));
  std::string run_id =
      std::to_string(Clock::Real()->NowUnix()) + std::to_string(std::random_device{}() % 1000);

  RunOptions shared = SharedOptions(options, event);
  SweepOrphanRunPods(engine, [&options](const std::string& line) {
    if (options.out) options.out(line);
  });
  auto reports = ScheduleJobs(workflows, plan, shared, Concurrency(options), engine, run_id);
  if (options.artifact_dir.empty()) (void)RemoveTree(ArtifactRunDir(options, run_id));

  RunReport report;
  report.not_triggered = std::move(plan.not_triggered);
  for (auto& job : reports) {
    if (!job) continue;  // never started (the run was interrupted)
    if (job->result == Outcome::kFailure || job->result == Outcome::kCancelled)
      report.success = false;
    report.jobs.push_back(std::move(*job));
  }
  report.seconds = watch.Seconds();
  return report;
}

}  // namespace kiln::workflow
