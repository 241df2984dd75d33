// The run-wide parts of a job's environment and contexts (internal to workflow/): the github
// context with its GITHUB_* variables, inputs and vars.
#pragma once

#include <string>

#include "workflow/job_context.h"

namespace kiln::workflow {

// The github context of the run (RunOptions::github over placeholders for what it lacks) with the
// job's keys (job, workflow, action, run_id unless given, workspace, event_path).
Json JobGithubContext(const JobContext& ctx);

// Sets ctx.expr's github, inputs and vars contexts and the GITHUB_* variables of ctx.env
// (GITHUB_SHA, GITHUB_REF, GITHUB_REF_NAME, GITHUB_REF_TYPE, GITHUB_REPOSITORY, …) from
// JobGithubContext. Inputs that fail to type are left out (RunWorkflows checked them first).
void SetUpGithub(JobContext& ctx);

// The job's environment and contexts once its image is known: the image's env, the runner's
// defaults (CI, HOME, RUNNER_*), SetUpGithub, --env, then runner, matrix, strategy, steps,
// secrets, job and env (the workflow's, the job's and its container's env, interpolated in order).
void SetUpEnv(JobContext& ctx);

// The event payload the job's GITHUB_EVENT_PATH holds: github.event, "{}" without one.
std::string EventPayload(const RunOptions& options);

}  // namespace kiln::workflow
