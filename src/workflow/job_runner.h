// Runs one planned job (internal to workflow/; RunWorkflows calls it).
#pragma once

#include "workflow/expr.h"
#include "workflow/plan.h"
#include "workflow/runner.h"

namespace kiln::workflow {

// `needs` is the needs context ({job: {result, outputs}}); `needs_status` is what the job's
// `if` sees (run_plan.h NeedsStatus): kSuccess when every needed job succeeded. A job whose
// continue-on-error is true and that failed reports kSuccess with `continued` set.
JobReport RunJob(const Workflow& wf, const JobRun& run, const Json& needs, JobStatus needs_status,
                 const RunOptions& options, jobs::Engine& engine, const std::string& run_id);

// Masks `report` (name, error, outputs, annotations, summary) with the secrets of `options`
// and of `more` (when given): for reports no job ran to mask (a call's join, a skipped called
// job, a matrix that failed to expand).
void MaskReportWithSecrets(JobReport& report, const RunOptions& options,
                           const RunOptions* more = nullptr);

}  // namespace kiln::workflow
