// RunWorkflows: plan each workflow, run its jobs in order, feed `needs` results forward.
#include <random>

#include "base/clock.h"
#include "base/fs.h"
#include "workflow/job_runner.h"
#include "workflow/runner.h"

namespace kiln::workflow {

Result<RunReport> RunWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                               jobs::Engine& engine) {
  RunReport report;
  Stopwatch watch;
  std::string run_id = std::to_string(Clock::Real()->NowUnix()) + std::to_string(std::random_device{}() % 1000);
  RETURN_IF_ERROR(MakeDirs(options.scratch_dir, 0700));
  // Plan everything first: a planning error in any file runs nothing.
  std::vector<std::vector<JobRun>> plans;
  for (const auto& wf : workflows) {
    bool triggered = wf.events.empty();
    for (const auto& e : wf.events) triggered |= e == options.event;
    if (!triggered && options.only_job.empty()) {
      std::string on;
      for (const auto& e : wf.events) on += (on.empty() ? "" : ", ") + e;
      report.not_triggered.push_back(wf.file + ": on: [" + on + "] does not include " + options.event);
      plans.emplace_back();
      continue;
    }
    auto plan = PlanRun(wf, options.only_job);
    if (!plan.ok() && options.only_job.empty()) return plan.status();
    plans.push_back(plan.ok() ? *plan : std::vector<JobRun>{});
  }
  for (size_t w = 0; w < workflows.size(); ++w) {
    const Workflow& wf = workflows[w];
    std::map<std::string, Json> needs_ctx;      // job id → {result, outputs}
    std::map<std::string, bool> job_ok;
    for (const JobRun& run : plans[w]) {
      Json needs = Json::object();
      bool needs_ok = true;
      for (const auto& n : run.job->needs) {
        needs[n] = needs_ctx.count(n) ? needs_ctx[n] : Json{{"result", "skipped"}, {"outputs", Json::object()}};
        needs_ok &= job_ok.count(n) && job_ok[n];
      }
      JobReport job = RunJob(wf, run, needs, needs_ok, options, engine, run_id);
      bool ok = job.result == Outcome::kSuccess;
      // A matrix job's result is the worst of its instances.
      job_ok[run.job->id] = job_ok.count(run.job->id) ? job_ok[run.job->id] && ok : ok;
      Json& entry = needs_ctx[run.job->id];
      if (!entry.is_object()) entry = {{"outputs", Json::object()}};
      entry["result"] = job_ok[run.job->id] ? "success" : OutcomeName(job.result);
      for (const auto& [k, v] : job.outputs) entry["outputs"][k] = v;
      if (job.result == Outcome::kFailure || job.result == Outcome::kCancelled) report.success = false;
      report.jobs.push_back(std::move(job));
      if (options.interrupts && options.interrupts() > 0) break;
    }
  }
  report.seconds = watch.Seconds();
  return report;
}

}  // namespace kiln::workflow
