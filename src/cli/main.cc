// kiln: a self-hosted CI runner whose centre is custom images.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "base/log.h"
#include "cli/commands.h"
#include "workflow/config_file.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln - run CI jobs in sandboxes made from OCI images, and snapshot them into custom images

SYNOPSIS
    kiln [--state-dir DIR] [--config FILE] [-v|--verbose] [-q|--quiet] COMMAND [ARGS…]

COMMANDS
    run [WORKFLOW|DIR]     run GitHub Actions workflow jobs in sandboxes (like act)
    image import|export|ls|inspect|rm
                           manage images (an OCI image layout under the state dir)
    images                 same as `kiln image ls`
    image tag SRC DST      give an image another name (e.g. a registry reference)
    pull REF               copy an image from a registry (layers unpacked as they arrive)
    build CONTEXT          build an image from a Dockerfile (-t NAME), without docker
    push LOCAL [REF]       copy an image (a custom image's version, or any) to a registry
    login HOST, logout HOST
                           store or forget a registry's credentials (STATE/auth.json)
    runner add|ls|rm       named runners: a custom image (latest or pinned) and a size
    sandbox create|exec|ls|rm|snapshot
                           long-lived sandboxes, and images captured from them while they run
    pool fill|ls|drain     sandboxes started ahead of time, taken by jobs of that image and size
    hook                   GitHub's runner container hooks (ACTIONS_RUNNER_CONTAINER_HOOKS)
    gitlab config|prepare|run|cleanup
                           GitLab Runner's custom executor (docs/gitlab.md)
    version                print the version
    help                   this text

    `kiln COMMAND --help` explains each command in full.

GLOBAL OPTIONS
    --state-dir DIR   where kiln keeps images, the layer cache and sandboxes
                      (default $KILN_STATE_DIR, else /var/lib/kiln)
    --config FILE     the config file every command reads (default $KILN_CONFIG, else
                      /etc/kiln/config.toml when it exists; keys: docs/config.md)
    -v, --verbose     debug messages on stderr
    -q, --quiet       warnings and errors only

ENVIRONMENT
    KILN_STATE_DIR    default state directory
    KILN_CONFIG       the config file (default /etc/kiln/config.toml)
    KILN_INIT         the static kiln-init binary (PID 1 of every sandbox), for packagers
                      (default: beside kiln, else ../libexec/kiln/kiln-init)

EXIT STATUS
    0 success; 1 a job or command failed; 2 bad usage or invalid input (a workflow error names
    FILE:LINE:COLUMN).

FILES
    STATE/oci         OCI image layout: oci-layout, index.json, blobs/sha256/…
    STATE/layers      layer cache: each layer unpacked once, shared read-only by sandboxes
    STATE/sandboxes   live sandboxes (swept at start when their kiln died)
    STATE/auth.json   registry credentials stored by kiln login (mode 0600)
)";

int Version(App&, const Args&) {
  std::printf("kiln 0.1.0\n");
  return 0;
}

// Raises the soft open-files limit to the hard one: removing, packing or unpacking a tree a job
// made must not fail with EMFILE at the default 1024. Sandboxes get their own limit
// (runtime/spec.cc ClampedNofile, from the hard limit), so this changes nothing inside them.
void RaiseNofileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

bool WantsHelp(const Args& args, const char* text) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      std::fputs(text, stdout);
      return true;
    }
  }
  return false;
}

int Main(int argc, char** argv) {
  RaiseNofileLimit();
  std::string state_dir = DefaultStateDir();
  std::string config;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    std::string a = argv[i];
    if (a == "--state-dir" && i + 1 < argc) {
      state_dir = argv[++i];
    } else if (a.rfind("--state-dir=", 0) == 0) {
      state_dir = a.substr(12);
    } else if (a == "--config" && i + 1 < argc) {
      config = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config = a.substr(9);
    } else if (a == "-v" || a == "--verbose") {
      SetLogLevel(LogLevel::kDebug);
    } else if (a == "-q" || a == "--quiet") {
      SetLogLevel(LogLevel::kWarn);
    } else if (a == "-h" || a == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--version") {
      std::printf("kiln 0.1.0\n");
      return 0;
    } else {
      std::fprintf(stderr, "kiln: unknown option %s (see kiln --help)\n", a.c_str());
      return 2;
    }
  }
  if (i >= argc) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  static const std::map<std::string, int (*)(App&, const Args&)> kCommands = {
      {"run", RunCommand},     {"image", ImageCommand},   {"images", ImageListCommand},
      {"version", Version},    {"runner", RunnerCommand}, {"sandbox", SandboxCommand},
      {"pool", PoolCommand},   {"pull", PullCommand},     {"push", PushCommand},
      {"login", LoginCommand}, {"logout", LogoutCommand}, {"build", BuildCommand},
      {"hook", HookCommand},   {"gitlab", GitlabCommand}};
  std::string command = argv[i];
  if (command == "help") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    std::fprintf(stderr, "kiln: unknown command %s (see kiln --help)\n", command.c_str());
    return 2;
  }
  // crun and the sandboxes' records need absolute paths: a relative --state-dir is made one.
  if (!state_dir.empty() && state_dir[0] != '/') {
    std::error_code ec;
    auto abs = std::filesystem::absolute(state_dir, ec);
    if (!ec) state_dir = abs.lexically_normal().string();
  }
  App app(state_dir, workflow::ConfigPath(config));
  return it->second(app, Args(argv + i + 1, argv + argc));
}

}  // namespace kiln::cli

int main(int argc, char** argv) { return kiln::cli::Main(argc, argv); }
