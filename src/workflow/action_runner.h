// Steps that use an action (internal to workflow/): resolution of `uses:`, inputs, and the
// runners of each kind (composite, Node.js, Docker), pre and post steps.
//
// RunStep (step_runner.cc) calls RunActionStep for a step with `uses:`. An action that runs a
// process in the job's sandbox (Node.js) returns it as an ActionExec, which RunStep runs as it
// runs a script (live output, workflow commands, timeouts, GITHUB_OUTPUT); the others (composite,
// built-in, snapshot) do their work inside RunActionStep.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workflow/action_model.h"
#include "workflow/builtin_actions.h"
#include "workflow/job_context.h"

namespace kiln::workflow {

// Which script of an action a step runs: GitHub runs `pre` before the job's steps, `main` as
// the step, `post` after the job's steps.
enum class ActionPhase { kMain, kPre, kPost };

struct ResolvedAction {
  const BuiltinAction* builtin = nullptr;  // a built-in (nothing else is set)
  std::string docker_image;                // `uses: docker://IMAGE` (nothing else is set)
  std::string host_dir;                    // the action's directory on the host
  std::string sandbox_dir;                 // the same directory as the job's sandbox sees it
  Action action;
};

// A process RunStep runs for the action: in the job's sandbox, or in `sandbox` (a Docker
// action's own, which `keep` holds until the step ends).
struct ActionExec {
  bool exec = false;
  std::vector<std::string> args;
  EnvMap env;  // added to the step's env
  std::string cwd;
  runtime::Sandbox* sandbox = nullptr;  // nullptr: the job's
  std::shared_ptr<void> keep;
};

// The host directory whose content the job sees at /github/workspace: where `./path`
// actions are looked up. (One place, so a workspace copy can change it.)
std::string ActionWorkspaceDir(const JobContext& ctx);

// Finds the action of `step.uses`: ./path in the workspace; a built-in (FindBuiltinAction);
// docker://IMAGE; OWNER/REPO[/PATH]@REF in RunOptions::action_cache as
// DIR/OWNER/REPO@REF[/PATH] (copied into the job's temp dir so the sandbox sees it). Errors
// start with the step's `uses:` FILE:LINE:COL and say what to do.
Result<ResolvedAction> ResolveAction(JobContext& ctx, const Step& step);

// Whether `step`'s action can be found, without a job (kiln run -n): a built-in, docker://,
// OWNER/REPO@REF in options.action_cache, ./path with an action.yml in options.workspace.
// NotFound with ResolveAction's message (the `uses:` FILE:LINE:COL and the fix) if not.
Status CheckActionFound(const RunOptions& options, const Step& step);

// Runs the action of `step` in the current phase (ActionPhase). `step_env` is the step's
// evaluated env; `outputs` receives the step's outputs; `exec` may be filled for RunStep.
Status RunActionStep(JobContext& ctx, const Step& step, const EnvMap& step_env, Json& outputs,
                     ActionExec& exec);

// The inputs the action gets: `with` (evaluated) and the defaults of the inputs not given
// (evaluated). Prints GitHub's warnings for unexpected inputs and for required ones missing.
std::map<std::string, std::string> ActionInputs(JobContext& ctx, const Step& step,
                                                const Action& action,
                                                const std::map<std::string, std::string>& with);
// INPUT_<NAME> (upper-cased, spaces to '_') for each input.
EnvMap InputEnv(const std::map<std::string, std::string>& inputs);

// action_composite.cc: the composite's steps, in their own steps context, with `inputs`.
Status RunComposite(JobContext& ctx, const Step& step, const ResolvedAction& a,
                    const std::map<std::string, std::string>& inputs, const EnvMap& step_env,
                    Json& outputs);
// action_node.cc: the `node SCRIPT` of the phase, or an error when the image has no node.
Result<ActionExec> NodeExec(const JobContext& ctx, const ResolvedAction& a, const Step& step,
                            const std::map<std::string, std::string>& inputs, ActionPhase phase);
// action_docker.cc: a Docker action, or `uses: docker://IMAGE` (`inputs` then holds `with`:
// entrypoint, args), in a sandbox of its own on the job's network, as GitHub runs one: the
// job's workspace, home, temp and workflow dirs mounted where the job has them, the job's env
// with INPUT_*, cwd /github/workspace. `image: Dockerfile` is built with build::Build.
Result<ActionExec> DockerExec(JobContext& ctx, const Step& step, const ResolvedAction& a,
                              const std::map<std::string, std::string>& inputs, ActionPhase phase);
// Splits a docker:// step's `args` as the runner does: on blanks, with "…" and '…' quoting.
std::vector<std::string> SplitArgs(const std::string& s);

// The phase of the step running on this thread (kMain unless RunPhaseStep set another).
ActionPhase CurrentActionPhase();
// Runs `step` as its pre or post phase, reported as a step named "Pre NAME" / "Post NAME".
void RunPhaseStep(JobContext& ctx, const Step& step, ActionPhase phase);
// Registers the post phase of `step` (run after the job's steps when `if_expr` holds).
void RegisterPost(JobContext& ctx, const Step& step, const std::string& if_expr);

// job_runner.cc calls these around the job's steps: the `pre` scripts of the job's actions (in
// step order, each if its pre-if holds), and the post steps (last registered first).
void RunActionPreSteps(JobContext& ctx);
void RunPostSteps(JobContext& ctx);

// The state an action saved with GITHUB_STATE / ::save-state:: in its earlier phases (by the
// step's id), or nullptr. Its post and main phases get it as STATE_<name>.
const std::map<std::string, std::string>* ActionState(const JobContext& ctx,
                                                      const std::string& step_id);

}  // namespace kiln::workflow
