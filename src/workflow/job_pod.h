// A `kiln run` job with `services:` (or a `container:` with options, volumes, ports or
// credentials) runs in a jobs::Pod of its own (jobs/pod.h): the services start first on the
// pod's network (one per job, so services of concurrent jobs never collide), reachable from
// the job by their names; kiln waits until those with a health check are healthy; then the
// job sandbox joins the same network with the container's env, options and volumes and the
// job's mounts (workspace, temp, home). Ports are published on the host. Everything goes with
// TearDown (always called, on failure and cancel too).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "jobs/pod.h"
#include "workflow/job_context.h"

namespace kiln::workflow {

// Removes the pods of `kiln run` jobs whose kiln process is gone (killed mid-job: their
// sandboxes are persistent, so nothing else sweeps them). Pods of live runs are left alone
// (their lock is held). Returns how many were removed; errors are only logged.
int SweepOrphanRunPods(jobs::Engine& engine, const std::function<void(const std::string&)>& log);

// Whether `job` needs a pod rather than a plain job session.
bool NeedsPod(const Job& job);

class JobPod {
 public:
  // Starts the services and the job sandbox; sets ctx.sandbox, ctx.image, ctx.has_bash and the
  // report's image and size. On error what was started stays for TearDown.
  Status Start(JobContext& ctx);
  // After SetUpEnv: the job container's `-e` options into ctx.env, and the job.services and
  // job.container contexts ({id, network, ports}).
  void AddContexts(JobContext& ctx) const;
  // Destroys the pod (sandboxes, network, volumes); idempotent.
  Status TearDown();

 private:
  Status StartServices(JobContext& ctx);
  std::optional<jobs::Pod> pod_;
  std::unique_ptr<runtime::Sandbox> sandbox_;
  EnvMap option_env_;  // the job container's env (env: and -e), for the steps' processes
  Json services_ = Json::object(), container_ = Json::object();
};

}  // namespace kiln::workflow
