#include "gitlab/executor.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "base/json.h"
#include "jobs/pod.h"
#include "jobs/sandbox_plan.h"
#include "jobs/snapshot_handler.h"

namespace kiln::gitlab {
namespace {

constexpr const char* kScriptsDir = "/kiln/gitlab";  // in the job sandbox (a pod volume)
constexpr const char* kRunnerInBox = "/usr/local/bin/gitlab-runner";

std::function<void(const std::string&)> Say(const Output& out) {
  return [out](const std::string& line) {
    if (out) out(line, true);
  };
}

// The job sandbox's hostname, as config_exec tells gitlab-runner ("Running on …").
std::string Hostname(const Job& job) {
  std::string out = "kiln-" + job.key;
  for (char& c : out) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out.substr(0, 63);
}

// The request's registry credentials from DOCKER_AUTH_CONFIG, when it has some for the image.
Status AddCredentials(const Job& job, jobs::ContainerRequest& r) {
  ASSIGN_OR_RETURN(auto credentials, ImageCredentials(job.docker_auth_config, r.image));
  if (credentials) {
    r.registry_username = credentials->username;
    r.registry_password = credentials->password;
  }
  return Status::Ok();
}

jobs::ContainerRequest JobRequest(const Options& o, const Job& job) {
  jobs::ContainerRequest r;
  r.name = "job";
  r.hostname = Hostname(job);
  r.image = job.image.empty() ? o.default_image : job.image;
  r.size = o.size;
  std::string builds = BuildsDir(o, job);
  r.mounts.push_back({builds, builds, false});
  if (!o.cache_dir.empty()) r.mounts.push_back({o.cache_dir, o.cache_dir, false});
  r.mounts.push_back({"gitlab-scripts", kScriptsDir, true});
  if (!o.gitlab_runner.empty()) r.mounts.push_back({o.gitlab_runner, kRunnerInBox, true});
  return r;
}

Status StartPod(jobs::Pod& pod, const Options& o, const Job& job, const Output& out) {
  for (size_t i = 0; i < job.services.size(); ++i) {
    const Service& s = job.services[i];
    jobs::ContainerRequest r;
    r.name = "service-" + std::to_string(i) + "-" + s.aliases.front();
    r.image = s.name;
    r.aliases = s.aliases;
    r.entrypoint = s.entrypoint;
    r.args = s.command;
    // As gitlab-runner's docker executor: the job's variables, then the service's own.
    r.env = jobs::MergeEnv(job.variables, s.env);
    RETURN_IF_ERROR(AddCredentials(job, r));
    RETURN_IF_ERROR(pod.AddService(r, Say(out)).status());
  }
  RETURN_IF_ERROR(pod.WaitHealthy(Say(out)));
  if (o.wait_for_services_seconds > 0) pod.WaitForPorts(o.wait_for_services_seconds, Say(out));
  jobs::ContainerRequest r = JobRequest(o, job);
  RETURN_IF_ERROR(AddCredentials(job, r));
  return pod.AddJob(r, Say(out)).status();
}

// The stage name as a file name.
std::string FileName(const std::string& stage) {
  std::string out;
  for (char c : stage) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '-';
  return out.empty() ? "script" : out;
}

// Watches `cancelled` while the script runs (until `done`): then SIGTERM to the script's
// processes, SIGKILL after `kill_after` seconds.
void Cancel(runtime::Sandbox& box, const std::function<bool()>& cancelled,
            const std::atomic<bool>& done, double kill_after) {
  constexpr auto kTick = std::chrono::milliseconds(20);
  while (!done && !cancelled()) std::this_thread::sleep_for(kTick);
  if (done) return;
  (void)box.Signal(SIGTERM);
  Stopwatch since;
  while (!done && since.Seconds() < kill_after) std::this_thread::sleep_for(kTick);
  if (!done) (void)box.Signal(SIGKILL);
}

}  // namespace

std::string BuildsDir(const Options& options, const Job& job) {
  return JoinPath(options.builds_root, job.key);
}

std::string ConfigJson(const Options& options, const Job& job) {
  Json j = {{"builds_dir", BuildsDir(options, job)},
            {"cache_dir", options.cache_dir},
            {"builds_dir_is_shared", false},
            {"hostname", Hostname(job)},
            {"driver", {{"name", "kiln"}, {"version", "0.1.0"}}}};
  return DumpJson(j);
}

Status Prepare(jobs::Engine& engine, const Options& options, const Job& job, const Output& out) {
  if (job.image.empty() && options.default_image.empty()) {
    return FailedPrecondition(
        "the job names no image and kiln has no default: set image: in .gitlab-ci.yml, or "
        "--image in the runner's prepare_args");
  }
  ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(engine, job.key));
  if (pod.state().job || !pod.state().services.empty()) {
    if (out) out("removing what an earlier attempt of this job left", true);
    RETURN_IF_ERROR(pod.Remove());
  }
  RETURN_IF_ERROR(MakeDirs(BuildsDir(options, job), 0755));
  if (!options.cache_dir.empty()) RETURN_IF_ERROR(MakeDirs(options.cache_dir, 0755));
  Status started = StartPod(pod, options, job, out);
  if (!started.ok()) {
    (void)pod.Remove();
    (void)RemoveTree(BuildsDir(options, job));
    return started;
  }
  return Status::Ok();
}

Result<int> Run(jobs::Engine& engine, const Job& job, const std::string& script,
                const std::string& stage, const Output& out, const std::function<bool()>& cancelled,
                double kill_after) {
  ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(engine, job.key));
  ASSIGN_OR_RETURN(auto box, pod.JobSandbox());
  ASSIGN_OR_RETURN(std::string text, ReadFile(script));
  std::string in_box = std::string(kScriptsDir) + "/" + FileName(stage) + ".sh";
  std::string on_host = box->HostPath(in_box);
  RETURN_IF_ERROR(WriteFileAtomic(on_host, text, 0644));
  runtime::ExecSpec e;
  // As gitlab-runner's docker executor: bash when the image has it, else sh.
  e.args = {"/bin/sh", "-c",
            "if command -v bash >/dev/null 2>&1; then exec bash \"$0\"; fi; exec sh \"$0\"",
            in_box};
  e.on_line = [&out](const std::string& line, bool is_stderr, bool) {
    if (out) out(line, is_stderr);
  };
  // kiln-snapshot in the script: the job sandbox as it is now, as the next version of a name.
  e.on_snapshot = jobs::SnapshotHandler(engine, box->id(), Say(out));
  std::atomic<bool> done{false};
  std::thread canceller;
  if (cancelled) {
    canceller = std::thread([&] { Cancel(*box, cancelled, done, kill_after); });
  }
  auto code = box->Exec(e);
  done = true;
  if (canceller.joinable()) canceller.join();
  (void)::unlink(on_host.c_str());
  if (!code.ok()) return code.status().WithContext("stage " + stage);
  return code;
}

Status Cleanup(jobs::Engine& engine, const Options& options, const Job& job) {
  ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(engine, job.key));
  Status removed = pod.Remove();
  Status builds = RemoveTree(BuildsDir(options, job));
  RETURN_IF_ERROR(removed);
  return builds;
}

}  // namespace kiln::gitlab
