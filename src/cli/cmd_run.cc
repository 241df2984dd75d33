// kiln run: GitHub Actions workflows in kiln sandboxes.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/registry_flags.h"
#include "cli/secrets.h"
#include "jobs/pool_service.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln run - run GitHub Actions workflow jobs in kiln sandboxes

SYNOPSIS
    kiln run [WORKFLOW_FILE|DIR] [-P LABEL=IMAGE]... [-j|--job ID] [--event NAME]
             [--config FILE] [-s|--secret NAME]... [--secret-file FILE]
             [--env NAME=VALUE]... [--warm-pool N] [--concurrent-jobs N] [--json]
             [--bind] [--tls-verify=false]

DESCRIPTION
    Runs the jobs of a workflow file, or of every *.yml/*.yaml in DIR (default:
    ./.github/workflows), each in its own sandbox: an overlay of the image's cached layers,
    run by crun with hardened defaults. Each step's script is exec'd into the job's sandbox
    (bash --noprofile --norc -eo pipefail {0}, sh -e {0}, …) and its output streamed live,
    prefixed by workflow and job. Jobs that do not need each other run at once, up to
    --concurrent-jobs; each starts once the jobs in its `needs` have finished. Each job gets
    its own copy of the current directory at /github/workspace, as on GitHub: what a job
    writes there stays in its copy. .git is copied; what git ignores (.gitignore) is not, as
    act does. The copy comes from a mirror kiln keeps per repository (<state>/workspaces/)
    and updates incrementally each run (by size, mtime and mode; symlinks stay links);
    --bind mounts the current directory itself instead (all of it, the same in every job,
    and a job's writes land in it).
    GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT work as on GitHub, but kiln reads them only
    as regular files of at most 1 MiB inside the job's temp dir: a step that turns one into
    a symlink, a FIFO or a bigger file fails. After each step (and after
    the job) kiln removes the setuid and setgid bits of every file in the workspace and the
    job's $HOME and $RUNNER_TEMP, so a job cannot leave a set-id program on the host.

    A job's image: `container:`; `runs-on: {image: NAME[:VERSION], size: 4x16}`; a runner
    (`kiln runner add`); a -P mapping; the config file's [labels]; its default_image.
    An image named with a registry host (127.0.0.1:5000/team/toolbox:1.2.0) is pulled when
    it is missing, and its tag re-checked with one HEAD request when it is present (the local
    copy is used, with a warning, when the registry cannot be reached).
    `container:` takes image, env, ports, volumes (NAME:/path is a volume of the job's own,
    /host/path:/path[:ro] a bind mount), options and credentials; `services:` the same per
    service. Options are docker's create options kiln honours: --cpus and -m/--memory (the
    smallest size that fits), -e, --user, --hostname, --workdir, --entrypoint, --name,
    --network-alias and the --health-* options; any other is an error naming it (--user:
    that user owns the job's temp, home and workspace copy). A job with
    services (or container options, volumes, ports or credentials) runs on a network of its
    own: its services start first, reachable from the job by their names, and kiln waits
    until those with a health check are healthy (a service that never is fails the job).
    ports: are published on the host: ${{ job.services.NAME.ports['5432'] }} is the host
    port. Credentials are used to pull that image only. All of it is removed when the job
    ends. Such a job cannot take a `snapshot:`.
    A job with `snapshot:` that succeeds becomes a new version of a custom image (see
    `kiln image ls`), which later jobs can run on; `snapshot: {image-name: NAME, push: REPO}`
    also pushes it as REPO:<version> and REPO:latest. A step `uses: kiln/snapshot@v1` (or
    depot/snapshot-action@v1) with `with: {image: REF}` captures the sandbox at that point and
    pushes it to REF (one reference per line); later steps go on in the same sandbox.

OPTIONS
    -P, --platform LABEL=IMAGE   map a runs-on label (or a container image name) to an image
    -j, --job ID                 run only this job and the jobs it needs (transitively)
    --bind                       bind-mount the current directory at /github/workspace
                                 instead of giving each job a copy of it
    --event NAME                 the triggering event (default: the one event in `on:` of a
                                 WORKFLOW_FILE named here, else push)
    --config FILE                runner config (default $KILN_CONFIG, else /etc/kiln/config.toml)
    -s, --secret NAME            the secret NAME (${{ secrets.NAME }}), its value taken from the
                                 environment variable NAME; exit 2 if NAME is not set
    -s, --secret NAME=VALUE      the same with the value given here: accepted, with a warning,
                                 as the value is then in kiln's command line, which every local
                                 user can read (ps, /proc/PID/cmdline)
    --secret-file FILE           secrets as NAME=VALUE lines (act's .secrets format): blank
                                 lines and # comments ignored, optional `export `, values in
                                 '…' taken as is, in "…" with \n \t \" \\ escapes; a bad
                                 line is an error naming FILE:LINE. -s overrides the file.
    --env NAME=VALUE             an extra environment variable for every job
    --warm-pool N                keep N sandboxes started ahead of time per image and size, and
                                 start jobs in them (default: the config's warm_pool, else 0;
                                 see kiln pool --help)
    --concurrent-jobs N          run at most N jobs at once (default: the number of CPUs);
                                 a job starts once the jobs it needs have finished
    --json                       print the run report as JSON on stdout (logs go to stderr)
    --tls-verify=false           reach registries without checking their certificates (and
                                 over plain HTTP); also `insecure_registries` in the config
    --cert-dir DIR               refused: a run may reach many registries, and a cert dir
                                 (a CA, a client certificate) is one registry's. Put each
                                 registry's ca.crt (and client.cert, client.key) in
                                 /etc/containers/certs.d/HOST:PORT/, where kiln looks

SECRETS
    A secret's value, each line of a multi-line one (empty lines aside), and every value a
    step masks with ::add-mask:: are shown as *** everywhere kiln writes: step output, step
    names (also the default "Run <script>"), line prefixes, result lines, errors, the summary
    and --json. Values reach a step only through its environment and script; kiln passes the
    environment over the sandbox agent's socket (never in a command line), writes the script
    0700 in the job's 0700 scratch dir and removes it when the step ends. With `persist-env:`
    an env variable whose value contains a secret or masked value is left out of the image
    (the job log names it). Masking is textual: a step that prints a secret transformed
    (base64, split, reversed) is not masked.

CANCELLING
    Ctrl-C (SIGINT) or SIGTERM cancels the run as GitHub cancels one: the running step gets
    SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that; it ends `cancelled`.
    Later steps run only if their `if:` holds (always(), cancelled()); no further job starts;
    a cancelled job makes no snapshot. A second Ctrl-C stops those clean-up steps too; a
    fourth ends kiln at once (the next kiln start sweeps what it left).
    `timeout-minutes:` is enforced the same way: a step over its limit is stopped and fails;
    a job over its limit is cancelled.

EXIT STATUS
    0 all jobs succeeded; 1 a job failed or the run was cancelled; 2 the workflow or the
    command line is invalid.

EXAMPLES
    kiln run -P ubuntu-latest=debian:bookworm
    API_TOKEN=$(pass show ci/token) kiln run -s API_TOKEN --secret-file .secrets
    kiln run .github/workflows/ci.yml --job build --json
)";

std::atomic<int> g_interrupts{0};
// Counts interrupts; the third one restores the default action so that a fourth ends kiln at
// once (the next kiln start sweeps what it leaves).
void OnSignal(int sig) {
  if (++g_interrupts >= 3) std::signal(sig, SIG_DFL);
}

Result<workflow::RunnerConfig> LoadConfig(const Flags& flags, App& app) {
  if (flags.Has("--config")) app.set_config_path(flags.Get("--config"));
  const std::string& path = app.config_path();
  ASSIGN_OR_RETURN(workflow::RunnerConfig config, workflow::LoadRunnerConfig(path));
  for (const auto& p : flags.GetAll("--platform"))
    RETURN_IF_ERROR(workflow::AddOverride(config, p));
  config.runner_lookup = [&app](const std::string& name) -> Result<workflow::RunnerTarget> {
    ASSIGN_OR_RETURN(catalog::Catalog * cat, app.Catalog());
    ASSIGN_OR_RETURN(catalog::RunnerRecord r, cat->GetRunner(name));
    return workflow::RunnerTarget{r.image + ":" + r.version, r.size, "runner " + name, r.network};
  };
  return config;
}

// --secret-file, then each -s (a later one wins). Warns on stderr for each -s NAME=VALUE.
Status LoadSecrets(const Flags& flags, std::map<std::string, std::string>& out) {
  for (const auto& file : flags.GetAll("--secret-file")) {
    auto text = ReadFile(file);
    if (!text.ok())
      return InvalidArgument("--secret-file " + file + ": " + text.status().message());
    ASSIGN_OR_RETURN(auto secrets, ParseSecretFile(*text, file));
    for (auto& [k, v] : secrets) out[k] = std::move(v);
  }
  for (const auto& spec : flags.GetAll("--secret")) {
    bool in_argv = false;
    RETURN_IF_ERROR(AddSecretFlag(
        spec, [](const char* n) { return std::getenv(n); }, out, &in_argv));
    if (in_argv) {
      LogWarn("--secret " + spec.substr(0, spec.find('=')) +
              "=VALUE puts the value in kiln's command line, "
              "which every local user can read in the process list; use -s NAME (value from $NAME) "
              "or --secret-file");
    }
  }
  return Status::Ok();
}

Status SplitPairs(const std::vector<std::string>& specs, std::map<std::string, std::string>& out,
                  const char* what) {
  for (const auto& s : specs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument(std::string(what) + " takes NAME=VALUE");
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return Status::Ok();
}

}  // namespace

int RunCommand(App& app, const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--platform", "-P", true},
                                   {"--job", "-j", true},
                                   {"--event", "", true},
                                   {"--config", "", true},
                                   {"--secret", "-s", true},
                                   {"--secret-file", "", true},
                                   {"--env", "", true},
                                   {"--json", "", false},
                                   {"--bind", "", false},
                                   {"--warm-pool", "", true},
                                   {"--concurrent-jobs", "", true},
                                   {"--tls-verify", "", true},
                                   {"--cert-dir", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  // "": a run may reach many registries, so no one --cert-dir (each host's certs.d instead).
  if (Status s = ApplyRegistryFlags(app, *flags, ""); !s.ok()) return Fail(s);
  std::string target = flags->positional().empty() ? ".github/workflows" : flags->positional()[0];
  auto files = workflow::WorkflowFiles(target);
  if (!files.ok()) return Fail(files.status());
  std::vector<workflow::Workflow> workflows;
  for (const auto& f : *files) {
    auto wf = workflow::ParseWorkflowFile(f);
    if (!wf.ok()) return Fail(wf.status());
    workflows.push_back(std::move(*wf));
  }
  workflow::RunOptions o;
  auto config = LoadConfig(*flags, app);
  if (!config.ok()) return Fail(config.status());
  o.runners = std::move(*config);
  int warm = flags->Has("--warm-pool") ? std::atoi(flags->Get("--warm-pool").c_str())
                                       : o.runners.warm_pool;
  if (warm < 0 || warm > 64) return Fail(InvalidArgument("--warm-pool takes 0 to 64"));
  app.set_warm_pool(warm);
  o.only_job = flags->Get("--job");
  o.event = flags->Get("--event");  // "" = act's choice (workflow::ChooseEvent)
  o.named_file = !IsDirectory(target);
  if (flags->Has("--concurrent-jobs")) {
    const std::string n = flags->Get("--concurrent-jobs");
    char* end = nullptr;
    long v = std::strtol(n.c_str(), &end, 10);
    if (n.empty() || *end != '\0' || v < 1 || v > 1024) {
      return Fail(InvalidArgument(
          "--concurrent-jobs takes a number of jobs from 1 to 1024, not \"" + n + "\""));
    }
    o.concurrent_jobs = static_cast<int>(v);
  }
  Status pairs = LoadSecrets(*flags, o.secrets);
  if (pairs.ok()) pairs = SplitPairs(flags->GetAll("--env"), o.env, "--env");
  if (!pairs.ok()) return Fail(pairs);
  char cwd[4096];
  o.workspace = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".";
  o.bind_workspace = flags->Has("--bind");
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto runs_dir = (*engine)->RunsDir();  // locked by this process: swept only once it is gone
  if (!runs_dir.ok()) return Fail(runs_dir.status());
  o.scratch_dir = *runs_dir;
  bool json = flags->Has("--json");
  o.out = [json](const std::string& line) {
    std::FILE* f = json ? stderr : stdout;
    std::fprintf(f, "%s\n", line.c_str());
    std::fflush(f);
  };
  o.interrupts = [] { return g_interrupts.load(); };
  auto runtime = (*engine)->Runtime();  // sweeps what killed kiln processes left, before any job
  if (!runtime.ok()) return Fail(runtime.status());
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto report = workflow::RunWorkflows(workflows, o, **engine);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!report.ok()) return Fail(report.status());
  if (json) {
    std::printf("%s\n", DumpJson(workflow::ReportJson(*report), 2).c_str());
  } else {
    std::fputs(workflow::FormatSummary(*report).c_str(), stdout);
  }
  std::fflush(stdout);
  (*engine)->pool().Refill();  // now that no job needs the CPU (kiln pool --help)
  return report->success ? 0 : 1;
}

}  // namespace kiln::cli
