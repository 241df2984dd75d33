// kiln hook: GitHub's runner container hooks (hooks/hook.h), one call per process.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "base/fs.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "hooks/hook.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln hook - run the jobs of GitHub's self-hosted runner in kiln sandboxes (container hooks)

SYNOPSIS
    kiln hook [-P NAME=IMAGE]... [--image-map FILE]  < INPUT

DESCRIPTION
    GitHub's runner hands the container work of a job (a job `container:` and `services:`) to
    the program that ACTIONS_RUNNER_CONTAINER_HOOKS names, once per phase, with one JSON line on
    stdin: {"command", "responseFile", "args", "state"}. kiln hook takes the place of the
    docker hook of actions/runner-container-hooks: the same input, the same response, and the
    same behaviour, with kiln sandboxes where that hook runs docker containers. The runner runs
    the hook with its own node, so it is called through a small JavaScript file that starts
    `kiln hook` (dist/kiln-hook.js; docs/github-runner.md shows the set-up).

    prepare_job
        Removes what an earlier job of this runner left, then starts the job sandbox (kept
        running; the steps are exec'd into it) and one sandbox per service, all on a network of
        the job's own where each service is reached by its name in the workflow (contextName).
        Images: a kiln custom image ("toolbox:latest", "toolbox:1.2.0"), an image of the local
        store, or a registry reference (pulled with the job's `credentials` when given).
        Mounts: the runner's work, temp and tool dirs are bind-mounted, read-only where it asks;
        a volume name (userMountVolumes) is a kiln volume that lives as long as the job;
        /var/run/docker.sock is skipped with a warning (there is no docker). Published ports
        (`ports:`) are on the host. `options:` takes docker's --cpus, --memory/-m (both round
        up to the smallest kiln size that has them: --cpus 1 is 1x1, -m 4g is 2x8), -e/--env,
        --user/-u, --hostname/-h, --health-cmd, --health-interval, --health-retries,
        --health-timeout, --health-start-period, --no-healthcheck, --entrypoint,
        --network-alias, --workdir/-w and --name; any other option fails the job, naming it.
        Waits until every service with a health check is healthy, then writes the response
        file: state (network, container, services) and context (container and services: id,
        image, network, ports {"CONTAINER": "HOST"}) and isAlpine.
    run_script_step
        Runs entryPoint + entryPointArgs in the job sandbox in workingDirectory, with the job's
        environment and the step's environmentVariables (passed to the sandbox's agent, never
        on a command line), prependPath before the image's PATH. Output streams live; kiln
        hook exits with the step's exit code.
    run_container_step
        Runs a step's container from `image`, or from the `dockerfile` built by kiln's builder
        (the Dockerfile's directory is the context), on the job's network with the step's
        mounts, environment, entrypoint and args; exits with its exit code.
    cleanup_job
        Removes the job's sandboxes, its network and its volumes.

    A SIGINT or SIGTERM (the runner cancels a job, or its step times out) is passed to a
    running script or container step as SIGINT, and a second one as SIGKILL; the job sandbox
    lives on until cleanup_job (a container step's own sandbox is removed as always). During
    prepare_job it ends the wait for services' health checks, and what was made is removed.

    Every call finds the job by the runner's name (RUNNER_NAME), as the docker hook finds its
    containers by a label made from it; one runner runs one job at a time.

OPTIONS
    -P NAME=IMAGE
        Run IMAGE where the workflow names NAME (as act's -P): `-P node:22=toolbox:latest`.
        Repeatable; wins over the map file.
    --image-map FILE
        NAME=IMAGE lines (spaces around = allowed; blank lines and # comments skipped).
        Default: $KILN_HOOK_IMAGE_MAP.

    The global options (--state-dir, --config, -v, -q) come before `hook`.

ENVIRONMENT
    RUNNER_NAME          the runner's name (set by the runner); required
    KILN_HOOK_IMAGE_MAP  the image map file when --image-map is not given
    KILN_STATE_DIR, KILN_CONFIG
                         as for every kiln command

EXIT STATUS
    prepare_job, cleanup_job: 0 done, 1 failed (the message is on stderr; prepare_job left
    nothing behind), 2 bad input (malformed JSON, an unknown command, a missing field).
    The steps: the step's own exit code; 1 or 2 as above when kiln could not run it.

EXAMPLES
    echo '{"command":"cleanup_job","responseFile":null,"args":{},"state":{}}' |
        RUNNER_NAME=runner-1 kiln hook
    ACTIONS_RUNNER_CONTAINER_HOOKS=/opt/kiln/kiln-hook.js ./run.sh   # see docs/github-runner.md
)";

Status ReadImageMap(const std::string& path, std::map<std::string, std::string>* map) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  size_t start = 0, line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
    size_t eq = line.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == line.size()) {
      return InvalidArgument(path + ":" + std::to_string(line_no) + ": not NAME=IMAGE");
    }
    auto trim = [](std::string w) {
      size_t a = w.find_first_not_of(" \t"), b = w.find_last_not_of(" \t");
      return a == std::string::npos ? std::string() : w.substr(a, b + 1 - a);
    };
    std::string name = trim(line.substr(0, eq)), image = trim(line.substr(eq + 1));
    if (name.empty() || image.empty()) {
      return InvalidArgument(path + ":" + std::to_string(line_no) + ": not NAME=IMAGE");
    }
    (*map)[name] = image;
  }
  return Status::Ok();
}

std::atomic<int> g_interrupts{0};
void OnSignal(int) { g_interrupts.fetch_add(1); }

std::optional<std::string> GetEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

}  // namespace

int HookCommand(App& app, const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  auto flags = Flags::Parse(args, {{"-P", "-P", true}, {"--image-map", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  if (!flags->positional().empty()) {
    return Fail(InvalidArgument("kiln hook takes no arguments (the input is on stdin)"));
  }
  hooks::HookContext ctx;
  std::string map_file = flags->Get("--image-map", GetEnv("KILN_HOOK_IMAGE_MAP").value_or(""));
  if (!map_file.empty()) {
    Status read = ReadImageMap(map_file, &ctx.image_map);
    if (!read.ok()) return Fail(read.WithContext("image map"));
  }
  for (const auto& p : flags->GetAll("-P")) {
    size_t eq = p.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == p.size()) {
      return Fail(InvalidArgument("-P " + p + ": not NAME=IMAGE"));
    }
    ctx.image_map[p.substr(0, eq)] = p.substr(eq + 1);
  }
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto input = hooks::ParseInput(text);
  if (!input.ok()) return Fail(input.status().WithContext("kiln hook"));
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  ctx.engine = *engine;
  ctx.getenv = GetEnv;
  ctx.log = [](const std::string& m) { std::fprintf(stderr, "kiln hook: %s\n", m.c_str()); };
  ctx.output = [](const std::string& line, bool is_stderr, bool unfinished) {
    FILE* f = is_stderr ? stderr : stdout;
    std::fwrite(line.data(), 1, line.size(), f);
    if (!unfinished) std::fputc('\n', f);
    std::fflush(f);
  };
  ctx.interrupts = [] { return g_interrupts.load(); };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto code = hooks::RunHook(ctx, *input);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!code.ok()) return Fail(code.status());
  return *code;
}

}  // namespace kiln::cli
