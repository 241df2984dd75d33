// What a run would do, without running it: act's -l (the jobs, by stage) and -n (each job and
// its steps as they would run). Neither needs an engine, root or a sandbox.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "workflow/model.h"
#include "workflow/runner.h"

namespace kiln::workflow {

struct ListedJob {
  int stage = 0;  // 0 for a job that needs none, else 1 + the highest stage of its needs
  std::string id, name, workflow_name, workflow_file;
  std::vector<std::string> events;  // the workflow's `on:`
};

// act's -l: with options.only_job, that job and the jobs it needs; else with options.event
// given, the jobs of the workflows it triggers; else (no event chosen) every job of every
// workflow, as act lists them. One entry per job (not per matrix instance), by stage, then
// workflow and file order. InvalidArgument for an unknown -j job (naming the jobs there are).
Result<std::vector<ListedJob>> ListJobs(const std::vector<Workflow>& workflows,
                                        const RunOptions& options);
// The list as act prints it: Stage, Job ID, Job name, Workflow name, Workflow file, Events.
std::string FormatJobList(const std::vector<ListedJob>& jobs);
Json JobListJson(const std::vector<ListedJob>& jobs);

// -n: plans as RunWorkflows does (the same errors, inputs checked), then prints for each job
// "[wf/job] 🧪 ..." and "⭐ Run STEP" for each step (names interpolated with matrix, github,
// inputs and vars; never secrets) and returns a report of every planned job as succeeded, with
// no image, in no time. Nothing runs and no file is written.
Result<RunReport> DryRunWorkflows(const std::vector<Workflow>& workflows,
                                  const RunOptions& options);

}  // namespace kiln::workflow
