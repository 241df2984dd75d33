// The run as a graph of job instances, and the scheduler that runs it (internal to workflow/;
// RunWorkflows in run.cc calls them in this order: PlanWorkflows, then ScheduleJobs).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workflow/expr.h"
#include "workflow/plan.h"
#include "workflow/runner.h"

namespace kiln::workflow {

struct CallFrame;  // run_call.h

struct PlannedJob {
  size_t workflow = 0;  // index into the workflows
  JobRun run;
  std::vector<size_t> needs;  // every instance of every job it needs (indices into RunPlan::jobs)
  // Reusable workflows (run_call.h): the workflow the job is in (null: workflows[workflow]);
  // the call it runs in (null at the top level); `join`: the job is the caller itself, done
  // (without a sandbox) once the called workflow's jobs, which it needs, are.
  const Workflow* wf = nullptr;
  std::shared_ptr<const CallFrame> call;
  bool join = false;
};

struct RunPlan {
  std::vector<PlannedJob> jobs;  // workflows in order, each in PlanRun's order: needs come first
  std::vector<std::string> not_triggered;               // RunReport::not_triggered
  std::vector<std::shared_ptr<const Workflow>> called;  // the reusable workflows, loaded
};

// Which workflows the event (or -j) selects, each planned. `event` is ChooseEvent's. Errors:
// a planning error in any selected workflow; a -j job no workflow has (InvalidArgument naming
// the jobs there are); a named_file run that would start nothing (InvalidArgument saying why).
Result<RunPlan> PlanWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                              const std::string& event);

// Whether `on:` of wf includes event (a workflow without events runs for any).
bool Triggered(const Workflow& wf, const std::string& event);

// The inputs of each workflow in the plan type-check for `event` (inputs.h), from
// options.inputs and the payload in options.github.event (selection.cc).
Status CheckInputs(const std::vector<Workflow>& workflows, const RunPlan& plan,
                   const RunOptions& options, const std::string& event);

// The contexts a strategy.matrix may read before its needs are known: github (when set),
// inputs, vars.
Json MatrixContexts(const RunOptions& options);

// The needs context of plan.jobs[index] ({job: {result, outputs}}) from the reports of the
// jobs it needs (all finished), and whether every one succeeded. A matrix job's instances are
// folded in plan order, as one job: its result is success only if every instance succeeded.
// *all_ok also requires every job needed transitively to have succeeded, as GitHub's implicit
// success() does.
// *status is what success(), failure() and cancelled() see in the job's `if` (NeedsStatus).
Json NeedsContext(const RunPlan& plan, size_t index,
                  const std::vector<std::optional<JobReport>>& reports, JobStatus* status);
// The status a job's `if` sees: kSuccess when all_ok (its needs' chain succeeded); else
// kFailure when a job of the chain failed, kCancelled when one was cancelled (and none
// failed), kSkipped when they were only skipped (then success(), failure() and cancelled()
// are all false, as on GitHub, so `if: failure()` skips the job too).
JobStatus NeedsStatus(bool all_ok, const RunPlan& plan, const std::vector<size_t>& needs,
                      const CallFrame* frame, const std::vector<std::optional<JobReport>>& reports);
// GitHub's implicit success() over the whole chain: every job of `needs`, and every job they
// need in turn, succeeded. The walk stays in `frame` (the call the jobs run in; null at the top
// level): a called job's needs on its caller's needs order it only.
bool ChainSucceeded(const RunPlan& plan, const std::vector<size_t>& needs, const CallFrame* frame,
                    const std::vector<std::optional<JobReport>>& reports);
// The same for the plan instances `indices` of the jobs named `names`.
Json NeedsContextOf(const RunPlan& plan, const std::vector<size_t>& indices,
                    const std::vector<std::string>& names,
                    const std::vector<std::optional<JobReport>>& reports, bool* all_ok);

// Runs the plan's jobs, each on a thread of its own once every job it needs has finished, at
// most `limit` (≥ 1) at once, in plan order among those ready. Once options.interrupts() > 0
// no further job starts; the running ones see the interrupt themselves (RunJob). Returns each
// job's report, or nullopt for a job that never started. `options` must be the run's
// thread-safe copy (run.cc). A job whose matrix reads `needs` is expanded when its needs have
// finished (plan.h ExpandJob); its further instances' reports follow the plan's.
std::vector<std::optional<JobReport>> ScheduleJobs(const std::vector<Workflow>& workflows,
                                                   const RunPlan& plan, const RunOptions& options,
                                                   size_t limit, jobs::Engine& engine,
                                                   const std::string& run_id);

}  // namespace kiln::workflow
