// Selecting and planning a run: which workflows the event (or -j) picks, each expanded into job
// instances with the instances of the jobs they need; and the needs context fed forward.
#include "workflow/run_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "workflow/run_call.h"

namespace kiln::workflow {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// "-j nosuch: no job nosuch in a.yml, b.yml (jobs: a.yml: build, test; b.yml: lint)".
Status UnknownJob(const std::vector<Workflow>& workflows, const std::string& only_job) {
  std::vector<std::string> files, jobs;
  for (const auto& wf : workflows) {
    std::vector<std::string> ids;
    for (const auto& j : wf.jobs) ids.push_back(j.id);
    files.push_back(wf.file);
    jobs.push_back(wf.file + ": " + Join(ids));
  }
  std::string list;
  for (const auto& j : jobs) list += (list.empty() ? "" : "; ") + j;
  return InvalidArgument("-j " + only_job + ": no job " + only_job + " in " + Join(files) +
                         " (jobs: " + list + ")");
}

// The call a planned job belongs to: a caller's join belongs to the level of its caller.
const CallFrame* FrameOf(const PlannedJob& p) {
  return p.join && p.call ? p.call->parent.get() : p.call.get();
}

}  // namespace

bool ChainSucceeded(const RunPlan& plan, const std::vector<size_t>& needs, const CallFrame* frame,
                    const std::vector<std::optional<JobReport>>& reports) {
  std::vector<size_t> stack = needs;
  std::set<size_t> seen;
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (FrameOf(plan.jobs[i]) != frame || !seen.insert(i).second) continue;
    if (!reports[i] || reports[i]->result != Outcome::kSuccess) return false;
    // A caller's join needs its called jobs; its chain goes on through the caller's needs.
    const PlannedJob& p = plan.jobs[i];
    const std::vector<size_t>& next = p.join && p.call ? p.call->caller_needs : p.needs;
    stack.insert(stack.end(), next.begin(), next.end());
  }
  return true;
}

JobStatus NeedsStatus(bool all_ok, const RunPlan& plan, const std::vector<size_t>& needs,
                      const CallFrame* frame,
                      const std::vector<std::optional<JobReport>>& reports) {
  if (all_ok) return JobStatus::kSuccess;
  JobStatus status = JobStatus::kSkipped;
  std::vector<size_t> stack = needs;
  std::set<size_t> seen;
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (FrameOf(plan.jobs[i]) != frame || !seen.insert(i).second) continue;
    Outcome r = reports[i] ? reports[i]->result : Outcome::kSkipped;
    if (r == Outcome::kFailure) return JobStatus::kFailure;
    if (r == Outcome::kCancelled) status = JobStatus::kCancelled;
    const PlannedJob& p = plan.jobs[i];
    const std::vector<size_t>& next = p.join && p.call ? p.call->caller_needs : p.needs;
    stack.insert(stack.end(), next.begin(), next.end());
  }
  return status;
}

bool Triggered(const Workflow& wf, const std::string& event) {
  if (wf.events.empty()) return true;
  for (const auto& e : wf.events) {
    if (e == event) return true;
  }
  return false;
}

std::string ChooseEvent(const std::vector<Workflow>& workflows, const RunOptions& options) {
  if (!options.event.empty()) return options.event;
  if (options.named_file && workflows.size() == 1 && workflows[0].events.size() == 1) {
    return workflows[0].events[0];
  }
  if (!options.only_job.empty()) {  // -j: the one event of the workflows that hold the job
    std::set<std::string> events;
    bool found = false;
    for (const auto& wf : workflows) {
      bool has = std::any_of(wf.jobs.begin(), wf.jobs.end(),
                             [&](const Job& j) { return j.id == options.only_job; });
      if (!has) continue;
      found = true;
      events.insert(wf.events.begin(), wf.events.end());
    }
    if (found && events.size() == 1) return *events.begin();
  }
  return "push";
}

Result<RunPlan> PlanWorkflows(const std::vector<Workflow>& workflows, const RunOptions& options,
                              const std::string& event) {
  RunPlan plan;
  bool job_found = false;
  for (size_t w = 0; w < workflows.size(); ++w) {
    const Workflow& wf = workflows[w];
    if (options.only_job.empty() && !Triggered(wf, event)) {
      plan.not_triggered.push_back(wf.file + ": on: [" + Join(wf.events) + "] does not include " +
                                   event);
      continue;
    }
    auto runs = PlanRun(wf, options.only_job, MatrixContexts(options));
    if (!runs.ok() && !options.only_job.empty() && runs.status().code() == Code::kNotFound)
      continue;
    if (!runs.ok()) return runs.status();
    job_found = true;
    std::vector<std::string> stack = {wf.file};
    RETURN_IF_ERROR(AddPlannedRuns(plan, w, wf, *runs, {}, nullptr, options, stack));
  }
  if (!options.only_job.empty() && !job_found) return UnknownJob(workflows, options.only_job);
  if (options.named_file && plan.jobs.empty()) {
    std::string why = plan.not_triggered.empty() ? "it has no job to run" : plan.not_triggered[0];
    return InvalidArgument(why + "; choose an event of its `on:` with --event, or a job with -j");
  }
  return plan;
}

Json MatrixContexts(const RunOptions& options) {
  Json c = {{"inputs", Json::object()}, {"vars", Json::object()}};
  for (const auto& [k, v] : options.inputs) c["inputs"][k] = v;
  for (const auto& [k, v] : options.vars) c["vars"][k] = v;
  if (options.github.is_object()) c["github"] = options.github;
  return c;
}

Json NeedsContext(const RunPlan& plan, size_t index,
                  const std::vector<std::optional<JobReport>>& reports, JobStatus* status) {
  const PlannedJob& job = plan.jobs[index];
  // The needs of a called workflow's job that are its caller's order it only: the caller's
  // `if` decided whether it runs (CallRunner).
  std::vector<size_t> own;
  for (size_t n : job.needs)
    if (FrameOf(plan.jobs[n]) == FrameOf(job)) own.push_back(n);
  bool all_ok = true;
  Json needs = NeedsContextOf(plan, own, job.run.job->needs, reports, &all_ok);
  all_ok = all_ok && ChainSucceeded(plan, own, FrameOf(job), reports);
  *status = NeedsStatus(all_ok, plan, own, FrameOf(job), reports);
  return needs;
}

Json NeedsContextOf(const RunPlan& plan, const std::vector<size_t>& indices,
                    const std::vector<std::string>& names,
                    const std::vector<std::optional<JobReport>>& reports, bool* all_ok) {
  std::map<std::string, Json> ctx;     // job id → {result, outputs}
  std::map<std::string, bool> job_ok;  // a matrix job's result is the worst of its instances
  for (size_t i : indices) {
    const std::string& id = plan.jobs[i].run.job->id;
    const JobReport* r = reports[i] ? &*reports[i] : nullptr;
    bool ok = r != nullptr && r->result == Outcome::kSuccess;
    job_ok[id] = job_ok.count(id) ? job_ok[id] && ok : ok;
    Json& entry = ctx[id];
    if (!entry.is_object()) entry = {{"outputs", Json::object()}};
    entry["result"] = job_ok[id] ? "success" : OutcomeName(r ? r->result : Outcome::kSkipped);
    if (r != nullptr) {
      for (const auto& [k, v] : r->outputs) entry["outputs"][k] = v;
    }
  }
  Json needs = Json::object();
  *all_ok = true;
  for (const auto& n : names) {
    needs[n] = ctx.count(n) ? ctx[n] : Json{{"result", "skipped"}, {"outputs", Json::object()}};
    *all_ok = *all_ok && job_ok.count(n) && job_ok[n];
  }
  return needs;
}

}  // namespace kiln::workflow
