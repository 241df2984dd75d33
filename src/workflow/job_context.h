// The state of one running job, shared by the job and step phases (internal to workflow/).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/fd.h"
#include "images/image.h"
#include "workflow/expr.h"
#include "workflow/file_commands.h"
#include "workflow/file_commands_io.h"
#include "workflow/plan.h"
#include "workflow/runner.h"

namespace kiln::jobs {
class Engine;
class JobSession;
}  // namespace kiln::jobs

namespace kiln::workflow {

// Paths inside every job sandbox (the GitHub runner container-hooks layout).
inline constexpr const char* kWorkspace = "/github/workspace";
inline constexpr const char* kHome = "/github/home";
inline constexpr const char* kWorkflowDir = "/github/workflow";
inline constexpr const char* kTemp = "/__w/_temp";

struct JobContext;

// A step that runs after the job's main steps, in reverse order of registration: an action's
// `post:` (or a built-in's post phase), registered when its main step ran. Its `if` is
// evaluated with the job's status then (default always()).
struct PostStep {
  std::string name;  // "Post <step name>"
  std::string if_expr = "always()";
  std::function<Status(JobContext& ctx)> run;
};

struct JobContext {
  const Workflow* workflow = nullptr;
  const JobRun* run = nullptr;
  const RunOptions* options = nullptr;
  std::string prefix;    // "[wf/job] "
  std::string host_dir;  // host scratch dir of this job (temp/, home/, workflow/, workspace/)
  // The host dir mounted at /github/workspace: the job's copy (host_dir/workspace), or with
  // RunOptions::bind_workspace the user's checkout itself.
  std::string workspace_host;
  // A job container's --user: its uid:gid owns the job's dirs and step files (-1: root's).
  FileOwner files_owner;
  UniqueFd temp_fd;  // host_dir/temp, opened once; file commands go through it
  std::string run_id;
  images::Image image;
  RunnerTarget target;
  runtime::Sandbox* sandbox = nullptr;  // owned by the job's jobs::JobSession
  jobs::Engine* engine = nullptr;
  jobs::JobSession* session = nullptr;  // the job's (snapshot action steps capture through it)
  std::vector<runtime::BindMount> mounts;
  bool has_bash = false;
  EnvMap env;                      // workflow + job + container env, then GITHUB_ENV
  std::vector<std::string> paths;  // GITHUB_PATH additions, newest first
  std::string base_path;           // PATH of the image
  ExprContext expr;                // contexts; status follows the job
  CommandState commands;
  JobReport report;
  std::vector<PostStep> post_steps;  // run after the main steps, last registered first
  // GITHUB_STATE and ::save-state:: values by step id (step_commands.h); the post step of the
  // step's action sees each as env STATE_<name>.
  std::map<std::string, std::map<std::string, std::string>> action_state;
  int step_seq = 0;
  int interrupts_seen = 0;     // RunOptions::interrupts when the job was cancelled
  bool cancel_noted = false;   // the job has been marked cancelled
  double job_limit_s = 0;      // the job's timeout-minutes in seconds; 0 = none
  Stopwatch job_watch;         // since the job's sandbox started
  bool job_timed_out = false;  // a step was stopped by the job's time limit

  void Print(const std::string& line) const { PrintAs(prefix, line); }
  // Prints a line of the job's log, masked (`mask` false: the caller masked it already).
  void PrintAs(const std::string& line_prefix, const std::string& line, bool mask = true) const;
};

// The job's $HOME on the host (shown at kHome in the sandbox).
inline std::string HomeHostDir(const JobContext& ctx) { return ctx.host_dir + "/home"; }

// The prefix of a step's output lines: the job's prefix with the step's name (cut to 32
// bytes on a character boundary): "[wf/job › Build] ".
std::string StepPrefix(const std::string& job_prefix, const std::string& step_name);

// Sets `key` in an ordered env map (replacing an earlier value). Linear: for a few keys.
void SetEnv(EnvMap& env, const std::string& key, const std::string& value);
// SetEnv for many keys: indexes `env` once, then each Set is O(1) on average. A new key goes
// last, a known one keeps its place. `env` must outlive this and change only through it.
class EnvIndex {
 public:
  explicit EnvIndex(EnvMap& env);
  void Set(const std::string& key, const std::string& value);

 private:
  EnvMap& env_;
  std::unordered_map<std::string, size_t> index_;
};
// A fresh random step id (16 hex digits), used in the names of the step's files.
std::string NewStepId();
// The command line running `script` with a step's `shell:` (GitHub's shells; step_process.cc).
std::vector<std::string> ShellArgs(const std::string& shell, bool has_bash,
                                   const std::string& script);
// The host dir the job sees as /github/workspace (built-in actions write there).
inline std::string WorkspaceHostDir(const JobContext& ctx) { return ctx.workspace_host; }
// Runs one step; updates ctx (env, paths, outputs, status, report).
void RunStep(JobContext& ctx, const Step& step);
// The snapshot action step (snapshot_step.cc): captures the sandbox now, names the image by the
// first of `with.image`'s references, and pushes it to each; the job goes on in the sandbox.
Status RunSnapshotAction(JobContext& ctx, const Step& step);
// The environment a step's process sees, in "K=V" form.
std::vector<std::string> ProcessEnv(const JobContext& ctx, const EnvMap& step_env);

}  // namespace kiln::workflow
