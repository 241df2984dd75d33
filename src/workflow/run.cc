// RunWorkflows, in phases: choose the event → plan every workflow (an error in any runs
// nothing) → make the options safe to share between job threads → schedule the jobs
// (scheduler.cc) → the report, in plan order.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "workflow/run_plan.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

// The image side, one call at a time (runner.h: `images` need not be thread-safe).
class SerialImages : public ImageProvider {
 public:
  SerialImages(ImageProvider& inner, std::mutex& mu) : inner_(inner), mu_(mu) {}
  Result<JobImage> Get(const std::string& ref) override {
    std::lock_guard lock(mu_);
    return inner_.Get(ref);
  }

 private:
  ImageProvider& inner_;
  std::mutex& mu_;
};

// The runtime with Create one call at a time; the sandboxes it makes are used freely.
class SerialRuntime : public runtime::Runtime {
 public:
  SerialRuntime(runtime::Runtime& inner, std::mutex& mu) : inner_(inner), mu_(mu) {}
  Result<std::unique_ptr<runtime::Sandbox>> Create(const runtime::SandboxSpec& spec) override {
    std::lock_guard lock(mu_);
    return inner_.Create(spec);
  }
  Result<int> FillPool(const runtime::SandboxSpec& spec, int count) override {
    std::lock_guard lock(mu_);
    return inner_.FillPool(spec, count);
  }
  Result<std::vector<runtime::PoolEntry>> ListPool() override {
    std::lock_guard lock(mu_);
    return inner_.ListPool();
  }
  Result<int> DrainPool() override {
    std::lock_guard lock(mu_);
    return inner_.DrainPool();
  }
  Result<std::unique_ptr<runtime::Sandbox>> Attach(const std::string& id) override {
    std::lock_guard lock(mu_);
    return inner_.Attach(id);
  }
  Result<std::vector<runtime::SandboxInfo>> List() override {
    std::lock_guard lock(mu_);
    return inner_.List();
  }
  Result<int> SweepOrphans() override {
    std::lock_guard lock(mu_);
    return inner_.SweepOrphans();
  }

 private:
  runtime::Runtime& inner_;
  std::mutex& mu_;
};

// The options as job threads share them: whole lines out one at a time (stdout by default),
// and the caller's hooks (runner_lookup, after_job) under `engine_mu`, as the images and the
// runtime are.
RunOptions SharedOptions(const RunOptions& options, const std::string& event, std::mutex& engine_mu) {
  RunOptions o = options;
  o.event = event;
  auto out_mu = std::make_shared<std::mutex>();
  o.out = [out_mu, inner = options.out](const std::string& line) {
    std::lock_guard lock(*out_mu);
    if (inner) {
      inner(line);
    } else {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
    }
  };
  if (options.runners.runner_lookup) {
    o.runners.runner_lookup = [&engine_mu, inner = options.runners.runner_lookup](const std::string& name) {
      std::lock_guard lock(engine_mu);
      return inner(name);
    };
  }
  if (options.after_job) {
    o.after_job = [&engine_mu, inner = options.after_job](FinishedJob& job) {
      std::lock_guard lock(engine_mu);
      return inner(job);
    };
  }
  return o;
}

size_t Concurrency(const RunOptions& options) {
  if (options.concurrent_jobs > 0) return static_cast<size_t>(options.concurrent_jobs);
  return std::max(1u, std::thread::hardware_concurrency());  // act's default: the CPUs
}

}  // namespace

Result<RunReport> RunWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                               runtime::Runtime& runtime, ImageProvider& images) {
  if (options.concurrent_jobs < 0) return InvalidArgument("concurrent jobs must be at least 1");
  Stopwatch watch;
  std::string event = ChooseEvent(workflows, options);
  ASSIGN_OR_RETURN(RunPlan plan, PlanWorkflows(workflows, options, event));
  RETURN_IF_ERROR(MakeDirs(options.scratch_dir, 0700));
  std::string run_id = std::to_string(Clock::Real()->NowUnix()) + std::to_string(std::random_device{}() % 1000);

  std::mutex engine_mu;
  RunOptions shared = SharedOptions(options, event, engine_mu);
  SerialImages serial_images(images, engine_mu);
  SerialRuntime serial_runtime(runtime, engine_mu);
  auto reports = ScheduleJobs(workflows, plan, shared, Concurrency(options), serial_runtime, serial_images, run_id);

  RunReport report;
  report.not_triggered = std::move(plan.not_triggered);
  for (auto& job : reports) {
    if (!job) continue;  // never started (the run was interrupted)
    if (job->result == Outcome::kFailure || job->result == Outcome::kCancelled) report.success = false;
    report.jobs.push_back(std::move(*job));
  }
  report.seconds = watch.Seconds();
  return report;
}

}  // namespace kiln::workflow
