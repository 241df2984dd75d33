// kiln as GitLab Runner's custom executor: the four stages gitlab-runner calls per job
// (config_exec, prepare_exec, run_exec SCRIPT STAGE, cleanup_exec), each a separate kiln
// process, over one jobs::Pod keyed by the job (job_env.h).
//
// The job sandbox gets, at the same path as on the host: the job's builds dir
// (<builds_root>/<pod key>, its own, removed by cleanup) and the cache dir (shared by the
// runner's jobs). Every stage gitlab-runner asks for runs inside the job sandbox, those that call
// gitlab-runner itself (artifacts and cache up/download) included: the host's gitlab-runner
// binary (a static Go program) is mounted read-only at /usr/local/bin/gitlab-runner. Running them
// on the host instead would let a job's files (a symlink to /etc/shadow named as an artifact)
// reach the host as root.
#pragma once

#include <functional>
#include <string>

#include "gitlab/job_env.h"
#include "jobs/engine.h"

namespace kiln::gitlab {

struct Options {
  std::string builds_root;    // host dir: the job's builds dir is <builds_root>/<pod key>
  std::string cache_dir;      // host dir, shared by jobs
  std::string default_image;  // when the job names none
  std::string gitlab_runner;  // the host's gitlab-runner binary; "" = not mounted
  std::string size;           // the job sandbox's size; "" = the engine's rule
  // gitlab-runner's wait_for_services_timeout: Prepare waits this long in all for services
  // without a health check to accept connections on their image's first exposed TCP port
  // (jobs::Pod::WaitForPorts), then warns and goes on. 0 = no wait.
  double wait_for_services_seconds = 30;
};

// A line of output for the job log (the stage's stdout or stderr).
using Output = std::function<void(const std::string& line, bool is_stderr)>;

// The job's builds dir (host path = sandbox path).
std::string BuildsDir(const Options& options, const Job& job);
// config_exec's answer: builds_dir, cache_dir, builds_dir_is_shared, hostname, driver.
std::string ConfigJson(const Options& options, const Job& job);
// Starts the job's pod: its services (waiting for their health checks) and the job sandbox. A
// pod an earlier attempt of the job left is removed first; on failure nothing is left.
Status Prepare(jobs::Engine& engine, const Options& options, const Job& job, const Output& out);
// Runs the script file `script` (host path, written by gitlab-runner) for `stage` in the job
// sandbox with bash if the image has it, else sh; its exit code. Once `cancelled` says true
// (gitlab-runner sent SIGTERM: the job was cancelled or timed out), the script's processes get
// SIGTERM, and SIGKILL `kill_after` seconds later if they still run.
Result<int> Run(jobs::Engine& engine, const Job& job, const std::string& script,
                const std::string& stage, const Output& out,
                const std::function<bool()>& cancelled = nullptr, double kill_after = 5);
// Removes the job's pod and builds dir.
Status Cleanup(jobs::Engine& engine, const Options& options, const Job& job);

}  // namespace kiln::gitlab
