// What a step tells the runner besides env, path and outputs (internal to workflow/): its
// GITHUB_STATE and ::save-state:: values (kept per step id for the post step of its action,
// which sees them as env STATE_<name>), its GITHUB_STEP_SUMMARY markdown (the job's summary),
// and its ::error/warning/notice:: annotations (the job's report), all masked.
#pragma once

#include <string>

#include "workflow/job_context.h"

namespace kiln::workflow {

// The most annotations one job's report keeps (each is still printed).
inline constexpr size_t kMaxAnnotationsPerJob = 1000;

// Before a step's process starts: whether set-env/add-path are honoured
// (ACTIONS_ALLOW_UNSECURE_COMMANDS=true in the job's or the step's env) and ::debug:: lines
// shown (RunOptions::verbose, or the secret or variable ACTIONS_STEP_DEBUG is true).
void BeginStepCommands(JobContext& ctx, const EnvMap& step_env);

// After the step: reads `state_file` and `summary_file` (kCommandDir names; when
// `files_made`) into ctx.action_state[step.id] and ctx.report.summary, moves the step's
// annotations into the report, and ends its groups and stopped commands. The error the step
// fails with: a refused command (CommandState::command_error), an unsafe or malformed state
// file. A summary over 1 MiB is not kept: an error annotation says so, the step goes on (as
// GitHub's runner).
Status EndStepCommands(JobContext& ctx, const Step& step, bool files_made,
                       const std::string& summary_file, const std::string& state_file);

// Prints the job's summary ("📝 Job summary", then its lines), if any step wrote one.
void PrintJobSummary(const JobContext& ctx);

}  // namespace kiln::workflow
