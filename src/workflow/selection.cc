// -l and -n: the plan without a run.
#include "workflow/selection.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "base/table.h"
#include "workflow/action_runner.h"
#include "workflow/expr.h"
#include "workflow/inputs.h"
#include "workflow/run_plan.h"

namespace kiln::workflow {
namespace {

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
  return s;
}

// Each job of `runs` once, with its stage.
void AddListed(const Workflow& wf, const std::vector<JobRun>& runs, std::vector<ListedJob>& out) {
  std::map<std::string, int> stage;
  for (const JobRun& run : runs) {
    const Job& job = *run.job;
    if (stage.count(job.id)) continue;  // another matrix instance
    int s = 0;
    for (const auto& n : job.needs) s = std::max(s, stage.count(n) ? stage[n] + 1 : 0);
    stage[job.id] = s;
    out.push_back({s, job.id, job.name.empty() ? job.id : job.name, wf.name, wf.file, wf.events});
  }
}

void Emit(const RunOptions& o, const std::string& line) {
  if (o.out) {
    o.out(line);
  } else {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
}

std::string Expand(const std::string& text, const ExprContext& expr) {
  auto v = Interpolate(text, expr);
  return v.ok() ? *v : text;
}

}  // namespace

Status CheckInputs(const std::vector<Workflow>& workflows, const RunPlan& plan,
                   const RunOptions& options, const std::string& event) {
  Json payload = options.github.is_object() && options.github.contains("event")
                     ? options.github["event"]
                     : Json::object();
  size_t last = workflows.size();
  for (const PlannedJob& p : plan.jobs) {
    if (p.workflow == last) continue;
    last = p.workflow;
    RETURN_IF_ERROR(InputsContext(workflows[p.workflow], event, payload, options.inputs).status());
  }
  return Status::Ok();
}

Result<std::vector<ListedJob>> ListJobs(const std::vector<Workflow>& workflows,
                                        const RunOptions& options) {
  std::vector<ListedJob> out;
  if (!options.only_job.empty() || !options.event.empty()) {
    ASSIGN_OR_RETURN(RunPlan plan, PlanWorkflows(workflows, options, options.event));
    for (size_t w = 0; w < workflows.size(); ++w) {
      std::vector<JobRun> runs;
      for (const auto& p : plan.jobs) {
        if (p.workflow == w) runs.push_back(p.run);
      }
      AddListed(workflows[w], runs, out);
    }
  } else {
    for (const auto& wf : workflows) {
      ASSIGN_OR_RETURN(auto runs, PlanRun(wf, ""));
      AddListed(wf, runs, out);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ListedJob& a, const ListedJob& b) { return a.stage < b.stage; });
  return out;
}

std::string FormatJobList(const std::vector<ListedJob>& jobs) {
  Table t({"Stage", "Job ID", "Job name", "Workflow name", "Workflow file", "Events"});
  for (const auto& j : jobs) {
    t.Add({std::to_string(j.stage), j.id, j.name, j.workflow_name, j.workflow_file,
           Join(j.events, ",")});
  }
  return t.Render();
}

Json JobListJson(const std::vector<ListedJob>& jobs) {
  Json a = Json::array();
  for (const auto& j : jobs) {
    a.push_back({{"stage", j.stage},
                 {"job_id", j.id},
                 {"job_name", j.name},
                 {"workflow_name", j.workflow_name},
                 {"workflow_file", j.workflow_file},
                 {"events", j.events}});
  }
  return a;
}

Result<RunReport> DryRunWorkflows(const std::vector<Workflow>& workflows,
                                  const RunOptions& options) {
  std::string event = ChooseEvent(workflows, options);
  ASSIGN_OR_RETURN(RunPlan plan, PlanWorkflows(workflows, options, event));
  RETURN_IF_ERROR(CheckInputs(workflows, plan, options, event));
  RunReport report;
  report.not_triggered = plan.not_triggered;
  Json payload = options.github.is_object() && options.github.contains("event")
                     ? options.github["event"]
                     : Json::object();
  for (const PlannedJob& p : plan.jobs) {
    const Workflow& wf = workflows[p.workflow];
    const Job& job = *p.run.job;
    ExprContext expr;
    expr.contexts["matrix"] = p.run.matrix;
    expr.contexts["github"] = options.github.is_object() ? options.github : Json::object();
    expr.contexts["vars"] = Json::object();
    for (const auto& [k, v] : options.vars) expr.contexts["vars"][k] = v;
    auto inputs = InputsContext(wf, event, payload, options.inputs);
    expr.contexts["inputs"] = inputs.ok() ? *inputs : Json::object();
    std::string prefix = "[" + wf.name + "/" + p.run.display + "] ";
    std::string runs_on = Join(job.runs_on.labels, ", ");
    if (!job.runs_on.image.empty()) runs_on = job.runs_on.image;
    Emit(options,
         prefix + "🧪  Dry run: would set up job (runs-on: " + Expand(runs_on, expr) + ")");
    JobReport r;
    r.workflow = wf.file;
    r.id = job.id;
    r.name = p.run.display;
    r.result = Outcome::kSuccess;
    for (const Step& step : job.steps) {
      // As the real run would fail: an action kiln cannot find (action_resolve.cc).
      // InvalidArgument: a plan that cannot run is kiln run -n's exit 2.
      if (Status found = CheckActionFound(options, step); !found.ok())
        return InvalidArgument(found.message());
      std::string name = step.name_implicit ? step.name : Expand(step.name, expr);
      name = name.substr(0, name.find('\n'));
      Emit(options, prefix + (name.rfind("Run ", 0) == 0 ? "⭐ " : "⭐ Run ") + name);
      r.steps.push_back({name, Outcome::kSuccess, Outcome::kSuccess, 0, 0});
    }
    if (!job.uses.empty()) Emit(options, prefix + "⭐ Call " + job.uses);
    Emit(options, prefix + "🏁  Job would run " + std::to_string(job.steps.size()) + " step(s)");
    report.jobs.push_back(std::move(r));
  }
  Emit(options, "Dry run: " + std::to_string(report.jobs.size()) + " job(s) planned for event " +
                    event + "; nothing ran.");
  return report;
}

}  // namespace kiln::workflow
