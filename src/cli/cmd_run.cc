// kiln run: GitHub Actions workflows in kiln sandboxes.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "base/fs.h"
#include "base/log.h"
#include "cli/cmd_run_options.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/kilnrc.h"
#include "cli/registry_flags.h"
#include "jobs/pool_service.h"
#include "workflow/parse.h"
#include "workflow/runner.h"
#include "workflow/selection.h"

namespace kiln::cli {

extern const char kRunHelp[];  // cmd_run_help.cc

namespace {

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

// -l: the jobs, as act lists them (options.event "" = every job).
int ListCommand(const std::vector<workflow::Workflow>& workflows, const workflow::RunOptions& o,
                bool json) {
  auto jobs = workflow::ListJobs(workflows, o);
  if (!jobs.ok()) return Fail(jobs.status());
  if (json)
    std::printf("%s\n", DumpJson(workflow::JobListJson(*jobs), 2).c_str());
  else
    std::fputs(workflow::FormatJobList(*jobs).c_str(), stdout);
  return 0;
}

// -n: the plan, printed; nothing runs, so neither root nor the engine is needed.
int DryRunCommand(const std::vector<workflow::Workflow>& workflows, workflow::RunOptions& o,
                  bool json) {
  o.out = [json](const std::string& line) {
    std::fprintf(json ? stderr : stdout, "%s\n", line.c_str());
  };
  auto report = workflow::DryRunWorkflows(workflows, o);
  if (!report.ok()) return Fail(report.status());
  if (json)
    std::printf("%s\n", DumpJson(workflow::ReportJson(*report), 2).c_str());
  else
    std::fputs(workflow::FormatSummary(*report).c_str(), stdout);
  return 0;
}

}  // namespace

int RunCommand(App& app, const Args& raw_args) {
  if (WantsHelp(raw_args, kRunHelp)) return 0;
  char cwd[4096];
  std::string dir = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".";
  const char* home = std::getenv("HOME");
  auto args = WithRcFiles(raw_args, home ? home : "", dir, RunFlagSpecs(),
                          [](const char* n) { return std::getenv(n); });
  if (!args.ok()) return Fail(args.status());
  auto flags = Flags::Parse(*args, RunFlagSpecs());
  if (!flags.ok()) return Fail(flags.status());
  // "": a run may reach many registries, so no one --cert-dir (each host's certs.d instead).
  if (Status s = ApplyRegistryFlags(app, *flags, ""); !s.ok()) return Fail(s);
  auto target = ChooseRunTarget(*flags, [](const std::string& p) { return PathExists(p); });
  if (!target.ok()) return Fail(target.status());
  auto files = workflow::WorkflowFiles(target->path);
  if (!files.ok() && target->positional_path && target->path.find('/') == std::string::npos) {
    return Fail(files.status().WithContext(
        target->path + " is a path here, so it names the workflows; for the event " + target->path +
        " use --event " + target->path));
  }
  if (!files.ok()) return Fail(files.status());
  std::vector<workflow::Workflow> workflows;
  for (const auto& f : *files) {
    auto wf = workflow::ParseWorkflowFile(f);
    if (!wf.ok()) return Fail(wf.status());
    workflows.push_back(std::move(*wf));
  }
  workflow::RunOptions o;
  o.only_job = flags->Get("--job");
  o.event = target->event;  // "" = act's choice (workflow::ChooseEvent)
  o.named_file = target->named_file;
  o.workspace = dir;
  o.verbose = flags->Has("--verbose");
  o.strict_labels = flags->Has("--strict-labels");
  o.bind_workspace = flags->Has("--bind");
  auto absolute = [&](const std::string& p) {
    return p.empty() || p[0] == '/' ? p : dir + "/" + p;
  };
  o.cache_dir = flags->Has("--cache-dir") ? absolute(flags->Get("--cache-dir"))
                                          : app.state_dir() + "/actions-cache";
  o.artifact_dir = absolute(flags->Get("--artifact-server-path"));  // "": per run, removed after
  o.action_cache = flags->Get("--action-cache");  // relative: to the current directory
  if (!o.action_cache.empty() && o.action_cache[0] != '/')
    o.action_cache = dir + "/" + o.action_cache;
  bool json = flags->Has("--json");
  if (flags->Has("--list")) return ListCommand(workflows, o, json);  // needs no values
  if (Status s = LoadRunValues(*flags, dir, o); !s.ok()) return Fail(s);
  o.event = workflow::ChooseEvent(workflows, o);
  if (Status s = LoadGithub(*flags, dir, o); !s.ok()) return Fail(s);
  if (flags->Has("--dryrun")) return DryRunCommand(workflows, o, json);
  auto config = LoadConfig(*flags, app);
  if (!config.ok()) return Fail(config.status());
  o.runners = std::move(*config);
  int warm = flags->Has("--warm-pool") ? std::atoi(flags->Get("--warm-pool").c_str())
                                       : o.runners.warm_pool;
  if (warm < 0 || warm > 64) return Fail(InvalidArgument("--warm-pool takes 0 to 64"));
  app.set_warm_pool(warm);
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
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto runs_dir = (*engine)->RunsDir();  // locked by this process: swept only once it is gone
  if (!runs_dir.ok()) return Fail(runs_dir.status());
  o.scratch_dir = *runs_dir;
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
