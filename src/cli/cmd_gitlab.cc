// kiln gitlab config|prepare|run|cleanup: GitLab Runner's custom executor (gitlab/executor.h).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "base/fs.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "gitlab/executor.h"
#include "workflow/config_file.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln gitlab - GitLab Runner's custom executor: each job in kiln sandboxes

SYNOPSIS
    kiln gitlab config  [OPTIONS]                 (config_exec)
    kiln gitlab prepare [OPTIONS]                 (prepare_exec)
    kiln gitlab run     [OPTIONS] SCRIPT STAGE    (run_exec)
    kiln gitlab cleanup [OPTIONS]                 (cleanup_exec)

DESCRIPTION
    gitlab-runner calls these four commands for every job of a runner whose executor is
    "custom" (see docs/gitlab.md for the config.toml block). They read the job from the
    CUSTOM_ENV_* variables gitlab-runner sets and keep it in a pod of kiln sandboxes
    (STATE/pods/gitlab-RUNNER-JOB.json) between calls:

    config   prints the JSON gitlab-runner reads: the job's builds dir, the cache dir, the
             hostname and the driver (kiln and its version).
    prepare  starts the job's services (CUSTOM_ENV_CI_JOB_SERVICES: each reachable from the
             job by its alias, or by its image name as gitlab-runner derives it), waits for
             those with a health check, then starts the job sandbox from
             CUSTOM_ENV_CI_JOB_IMAGE: a kiln custom image ("toolbox:latest", "toolbox:1.2"),
             a local image ("debian:bookworm") or a registry reference
             ("registry.example.com/team/ci:3"). The builds dir and the cache dir are mounted
             at the same paths in it. What an earlier attempt of the job left is removed first.
    run      runs SCRIPT (written by gitlab-runner) in the job sandbox for STAGE, with bash
             when the image has it, else sh, printing its output as it comes. SIGTERM (a
             cancelled or timed-out job) is passed on to the script's processes, and SIGKILL
             follows 5 s later if they still run. Every stage runs in the sandbox, those
             that upload or download artifacts and caches too: the host's gitlab-runner
             binary is mounted at /usr/local/bin/gitlab-runner. `kiln-snapshot NAME
             [--version N.*]` in a script captures the job sandbox as the next version of
             custom image NAME, which later jobs can name as their image.
    cleanup  removes the job's sandboxes, volumes, network and builds dir.

OPTIONS
    Give the same options to all four (config_args, prepare_args, run_args, cleanup_args).
    --image REF           the image of jobs that name none (default: the config file's
                          default_image; with neither, such a job fails)
    --builds-dir DIR      where jobs' builds dirs are made, one per job (STATE/gitlab/builds)
    --cache-dir DIR       the cache dir shared by the runner's jobs (STATE/gitlab/cache)
    --gitlab-runner PATH  the gitlab-runner binary to mount in sandboxes (found on PATH;
                          "none": not mounted, and jobs with artifacts or caches fail)
    --size CPUSxGB        the job sandbox's size (default: as `kiln run` chooses)
    --wait-for-services-timeout SECONDS
                          as gitlab-runner's: how long prepare waits in all for services
                          without a health check to accept connections on the first TCP
                          port their image exposes (default 30; 0 = do not wait); a service
                          still closed then is a warning, and the job goes on

ENVIRONMENT
    CUSTOM_ENV_CI_RUNNER_ID, CUSTOM_ENV_CI_JOB_ID (else CUSTOM_ENV_CI_CONCURRENT_PROJECT_ID)
                          name the job's pod
    CUSTOM_ENV_CI_JOB_IMAGE, CUSTOM_ENV_CI_JOB_SERVICES
                          the job's image and services
    CUSTOM_ENV_DOCKER_AUTH_CONFIG
                          registry credentials for those images (a docker config.json),
                          used for this job only and never printed
    BUILD_FAILURE_EXIT_CODE, SYSTEM_FAILURE_EXIT_CODE, BUILD_EXIT_CODE_FILE
                          set by gitlab-runner (see EXIT STATUS)

FILES
    STATE/pods/gitlab-R-J.json        the job's sandboxes, between the stages
    STATE/pods/gitlab-R-J.logs/       its services' output
    BUILDS_DIR/gitlab-R-J/            the job's builds dir (removed by cleanup)

EXAMPLE
    CUSTOM_ENV_CI_JOB_ID=1 CUSTOM_ENV_CI_JOB_IMAGE=toolbox:latest kiln gitlab prepare
    echo 'echo hello' > /tmp/s && CUSTOM_ENV_CI_JOB_ID=1 kiln gitlab run /tmp/s build_script
    CUSTOM_ENV_CI_JOB_ID=1 kiln gitlab cleanup

EXIT STATUS
    0 on success. When the job's script fails, run writes its exit code to
    $BUILD_EXIT_CODE_FILE (when gitlab-runner sets it) and exits $BUILD_FAILURE_EXIT_CODE.
    When kiln itself cannot go on (no such image, no sandbox, bad CUSTOM_ENV_ values), any
    command says why on stderr and exits $SYSTEM_FAILURE_EXIT_CODE, so the runner reports a
    system failure (and `retry: when: runner_system_failure` applies).
)";

// gitlab-runner's SIGTERM to run_exec (a cancelled or timed-out job): passed on to the script.
std::atomic<bool> g_terminated{false};
void OnTerm(int) { g_terminated = true; }

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = JoinPath(dirs.substr(start, end - start), name);
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

void Print(const std::string& line, bool is_stderr) {
  std::fprintf(is_stderr ? stderr : stdout, "%s\n", line.c_str());
  std::fflush(is_stderr ? stderr : stdout);
}

int SystemFailure(const gitlab::ExitCodes& codes, const std::string& stage, const Status& s) {
  std::fprintf(stderr, "kiln gitlab %s: %s\n", stage.c_str(), s.ToString().c_str());
  return codes.system_failure;
}

int RunStage(jobs::Engine& engine, const gitlab::Job& job, const gitlab::ExitCodes& codes,
             const std::vector<std::string>& positional) {
  if (positional.size() != 2) {
    return SystemFailure(codes, "run", InvalidArgument("usage: kiln gitlab run SCRIPT STAGE"));
  }
  std::signal(SIGTERM, OnTerm);
  std::signal(SIGINT, OnTerm);
  auto code = gitlab::Run(engine, job, positional[0], positional[1], Print,
                          [] { return g_terminated.load(); });
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGINT, SIG_DFL);
  if (!code.ok()) return SystemFailure(codes, "run", code.status());
  if (*code == 0) return 0;
  if (!codes.build_exit_code_file.empty()) {
    Status written = WriteFileAtomic(codes.build_exit_code_file, std::to_string(*code), 0644);
    if (!written.ok()) return SystemFailure(codes, "run", written);
  }
  return codes.build_failure;
}

}  // namespace

int GitlabCommand(App& app, const Args& args) {
  if (args.empty()) return std::fputs(kHelp, stderr), 2;
  if (WantsHelp(args, kHelp)) return 0;
  gitlab::Env env = gitlab::ProcessEnv();
  gitlab::ExitCodes codes = gitlab::ParseExitCodes(env);
  const std::string stage = args[0];
  if (stage != "config" && stage != "prepare" && stage != "run" && stage != "cleanup") {
    return SystemFailure(codes, stage,
                         InvalidArgument("unknown command: kiln gitlab " + stage +
                                         " (config, prepare, run, cleanup)"));
  }
  auto flags =
      Flags::Parse(Args(args.begin() + 1, args.end()), {{"--image", "", true},
                                                        {"--builds-dir", "", true},
                                                        {"--cache-dir", "", true},
                                                        {"--gitlab-runner", "", true},
                                                        {"--size", "", true},
                                                        {"--wait-for-services-timeout", "", true}});
  if (!flags.ok()) return SystemFailure(codes, stage, flags.status());
  gitlab::Options o;
  o.default_image = flags->Get("--image");
  if (!flags->Has("--image")) {
    // The config file's default_image (kiln --help: the config file), as `kiln run` uses it.
    auto config = workflow::LoadConfigFile(app.config_path());
    if (!config.ok()) return SystemFailure(codes, stage, config.status());
    o.default_image = config->default_image;
  }
  o.builds_root = flags->Get("--builds-dir", JoinPath(app.state_dir(), "gitlab/builds"));
  o.cache_dir = flags->Get("--cache-dir", JoinPath(app.state_dir(), "gitlab/cache"));
  o.gitlab_runner = flags->Get("--gitlab-runner", FindOnPath("gitlab-runner"));
  if (o.gitlab_runner == "none") o.gitlab_runner.clear();
  o.size = flags->Get("--size");
  if (flags->Has("--wait-for-services-timeout")) {
    std::string text = flags->Get("--wait-for-services-timeout");
    char* end = nullptr;
    double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(seconds >= 0) || seconds > 86400) {
      return SystemFailure(codes, stage,
                           InvalidArgument("--wait-for-services-timeout: seconds, 0 to 86400"));
    }
    o.wait_for_services_seconds = seconds;
  }
  auto job = gitlab::ParseJob(env);
  if (!job.ok()) return SystemFailure(codes, stage, job.status());
  if (stage == "config") {
    std::printf("%s\n", gitlab::ConfigJson(o, *job).c_str());
    return 0;
  }
  if (stage != "run" && !flags->positional().empty()) {
    return SystemFailure(codes, stage, InvalidArgument("unexpected " + flags->positional()[0]));
  }
  auto engine = app.Engine();
  if (!engine.ok()) return SystemFailure(codes, stage, engine.status());
  if (stage == "run") return RunStage(**engine, *job, codes, flags->positional());
  Status s = stage == "prepare" ? gitlab::Prepare(**engine, o, *job, Print)
                                : gitlab::Cleanup(**engine, o, *job);
  return s.ok() ? 0 : SystemFailure(codes, stage, s);
}

}  // namespace kiln::cli
