// `kiln hook`: kiln in the place of actions/runner-container-hooks' docker package. GitHub's
// runner (ACTIONS_RUNNER_CONTAINER_HOOKS) calls the hook once per phase of a job whose
// workflow asks for a container or services; each call is a separate process, and what lives
// between the calls is a jobs::Pod (jobs/pod.h) keyed by the runner's name, as the reference
// keys its containers and network by a label made from RUNNER_NAME.
//
//   prepare_job         removes what an earlier job of this runner left, then starts the job
//                       sandbox and the services on the pod's network, waits until the services
//                       with a health check are healthy, and writes the response file:
//                       {"state": {"network", "container", "services": [ids]},
//                        "context": {"container": {"id", "image", "network", "ports"},
//                                    "services": [{"id", "image", "network", "ports",
//                                                  "contextName"}]},
//                        "isAlpine": bool}
//                       (ports: {"CONTAINER_PORT": "HOST_PORT"}). Any failure removes the pod.
//   run_script_step     entryPoint + entryPointArgs in the job sandbox; exit code = the step's.
//   run_container_step  a one-off sandbox from `image` or built from `dockerfile`, on the pod's
//                       network with the given mounts; exit code = its own.
//   cleanup_job         removes the pod: every sandbox, the network, the volumes.
//
// The job's environment (the image's Env, the container's environmentVariables,
// GITHUB_ACTIONS=true, CI=true) is kept from prepare_job to the steps in
// <state_dir>/hooks/<pod key>.json (mode 0600), removed with the pod. Environment values go to
// the sandboxes through the exec agent, never through an argv, and never into a log line.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "hooks/input.h"
#include "jobs/docker_options.h"
#include "jobs/engine.h"
#include "jobs/pod.h"
#include "jobs/sandbox_plan.h"

namespace kiln::hooks {

struct HookContext {
  jobs::Engine* engine = nullptr;
  jobs::EnvLookup getenv;  // the hook's environment (RUNNER_NAME, bare -e NAME, …)
  // Images the workflow names → the images kiln runs ("node:22" → "busybox:1"); a name not
  // here is used as it is.
  std::map<std::string, std::string> image_map;
  std::function<void(const std::string&)> log;  // progress and warnings (stderr)
  // A step's output, live (stdout/stderr of kiln hook).
  std::function<void(const std::string& line, bool is_stderr, bool unfinished)> output;
  // How many SIGINT/SIGTERM the hook has had (the runner's cancel or timeout); null = none. A
  // script or container step's processes get SIGINT on the first and SIGKILL on the next (the
  // job sandbox lives on for cleanup_job; a container step's sandbox is removed as always);
  // prepare_job's wait for health checks ends and what it made is removed.
  std::function<int()> interrupts;
};

// Performs one call. Returns the exit code for kiln hook: 0 for prepare_job and cleanup_job,
// the step's own for the steps. An error Status when kiln could not do what was asked
// (prepare_job then leaves nothing behind).
Result<int> RunHook(const HookContext& ctx, const HookInput& input);

// The pod key for a runner: "gh-" + its name when that makes a valid pod key (letters, digits,
// '-', '_', '.', at most 60 in all), else "gh-" + the first 32 hex digits of sha256(name).
// FailedPrecondition when RUNNER_NAME is unset, as the reference fails.
Result<std::string> PodKeyFor(const HookContext& ctx);

// The pod request for a container of the input (image mapped, env with GITHUB_ACTIONS and CI,
// mounts: docker.sock skipped with a warning, ports as runtime::ParsePortMapping reads docker's
// -p, createOptions).
Result<jobs::ContainerRequest> ToRequest(const HookContext& ctx, const ContainerInfo& info);

// Phases (one file each).
Result<int> PrepareJob(const HookContext& ctx, const HookInput& input);
Result<int> RunScriptStep(const HookContext& ctx, const HookInput& input);
Result<int> RunContainerStep(const HookContext& ctx, const HookInput& input);
Result<int> CleanupJob(const HookContext& ctx, const HookInput& input);

// kiln-snapshot in a script step: captures the job sandbox as the next version of the name
// asked (jobs/snapshot_handler.h).
std::function<Result<std::string>(const runtime::SnapshotAsk&)> SnapshotHandlerFor(
    const HookContext& ctx, const std::string& sandbox_id);
// A container step's `dockerfile`, built by kiln's builder (build/build.h) with the Dockerfile's
// dir as the context, as the reference's `docker build -f FILE DIR`; returns the image name.
Result<std::string> BuildStepImage(const HookContext& ctx, const std::string& dockerfile);

// The job env file (<state_dir>/hooks/<key>.json).
std::string JobEnvPath(const HookContext& ctx, const std::string& key);
Status SaveJobEnv(const HookContext& ctx, const std::string& key,
                  const std::vector<std::string>& env);
Result<std::vector<std::string>> LoadJobEnv(const HookContext& ctx, const std::string& key);
using jobs::MergeEnv;  // jobs/sandbox_plan.h

}  // namespace kiln::hooks
