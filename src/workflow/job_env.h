// The run-wide parts of a job's environment and contexts (internal to workflow/): the github
// context with its GITHUB_* variables, inputs and vars.
#pragma once

#include <string>

#include "workflow/job_context.h"

namespace kiln::workflow {

// The github context of the run (RunOptions::github over placeholders for what it lacks) with the
// job's keys (job, workflow, action, run_id unless given, workspace, event_path).
Json JobGithubContext(const JobContext& ctx);

// The contexts a job has before it is decided and set up: github (JobGithubContext), inputs
// (typed per the event: inputs.h; per workflow_call for the jobs of a called workflow:
// run_call.h), vars, secrets, matrix, strategy, runner, job, steps, and env from the workflow's
// and the job's env. The job's `if`, runs-on, container: and services: see them. Inputs that
// fail to type are left out (RunWorkflows checked them first). Needs ctx.run, .workflow,
// .options and .run_id.
void SetUpJobContexts(JobContext& ctx);

// Sets the GITHUB_* variables of ctx.env (GITHUB_SHA, GITHUB_REF, GITHUB_REF_NAME,
// GITHUB_REF_TYPE, GITHUB_REPOSITORY, …) from the github context SetUpJobContexts made.
void SetUpGithub(JobContext& ctx);

// The job's environment and contexts once its image is known: the image's env, the runner's
// defaults (CI, HOME, RUNNER_*), SetUpGithub, --env, then the env context (the workflow's, the
// job's and its container's env, interpolated in order).
void SetUpEnv(JobContext& ctx);

// The event payload the job's GITHUB_EVENT_PATH holds: github.event, "{}" without one.
std::string EventPayload(const RunOptions& options);

}  // namespace kiln::workflow
