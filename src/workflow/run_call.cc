// Planning reusable-workflow calls (run_call.h): loading the called file, checking the call,
// and expanding it into the plan.
#include "workflow/run_call.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "base/fs.h"
#include "workflow/builtin_safe_fs.h"
#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

std::string RealPathOf(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (r == nullptr) return p;
  std::string s = r;
  std::free(r);
  return s;
}

// `file`'s path in its repository: under `workspace`, else from its .github/workflows/ on (a
// called workflow of another repository, in the action cache).
std::string RepoRelative(const std::string& file, const std::string& workspace) {
  std::string root = workspace.empty() || workspace.back() == '/' ? workspace : workspace + "/";
  if (!root.empty() && file.rfind(root, 0) == 0) return file.substr(root.size());
  size_t at = file.rfind(".github/workflows/");
  return at == std::string::npos ? file : file.substr(at);
}

// The file `uses` names: ./PATH in the workspace, or OWNER/REPO/PATH@REF in --action-cache.
Result<std::string> CalledFile(const Workflow& wf, const Job& job, const RunOptions& o) {
  const std::string& uses = job.uses;
  std::string where = job.pos.ToString() + ": job " + job.id + ": uses " + uses;
  std::string dotted = "/" + uses + "/";
  if (dotted.find("/../") != std::string::npos || dotted.find("@../") != std::string::npos) {
    return InvalidArgument(where + ": a reusable workflow's path may not hold .. components");
  }
  if (uses.rfind("./", 0) == 0) {
    std::string path = o.workspace + "/" + uses.substr(2);
    if (!PathExists(path)) {
      return NotFound(where + ": no such file in the repository (" + path + ")");
    }
    if (!RealPathWithin(o.workspace, path)) {
      return InvalidArgument(where + ": " + path +
                             " leads out of the repository through a symlink; kiln calls no "
                             "workflow from outside it");
    }
    return path;
  }
  size_t at = uses.find('@');
  size_t slash1 = uses.find('/'),
         slash2 = slash1 == std::string::npos ? slash1 : uses.find('/', slash1 + 1);
  if (at == std::string::npos || slash2 == std::string::npos || slash2 > at) {
    return InvalidArgument(where + ": a reusable workflow is ./PATH or OWNER/REPO/PATH@REF");
  }
  std::string repo = uses.substr(0, slash2), path = uses.substr(slash2 + 1, at - slash2 - 1);
  std::string ref = uses.substr(at + 1);
  if (!o.action_cache.empty()) {
    std::string file = o.action_cache + "/" + repo + "@" + ref + "/" + path;
    if (PathExists(file) && !RealPathWithin(o.action_cache, file)) {
      return InvalidArgument(where + ": " + file +
                             " leads out of the action cache through a symlink; kiln calls no "
                             "workflow from outside it");
    }
    if (PathExists(file)) return file;
  }
  return NotFound(where + ": kiln does not download workflows; put the repository at " +
                  (o.action_cache.empty() ? std::string("--action-cache DIR") : o.action_cache) +
                  "/" + repo + "@" + ref + "/ or call a local ./.github/workflows/ file");
}

Status CheckCall(const Job& job, const Workflow& called) {
  std::string where = job.pos.ToString() + ": job " + job.id + ": " + called.file;
  if (std::find(called.events.begin(), called.events.end(), "workflow_call") ==
      called.events.end()) {
    return InvalidArgument(where + " has no `on: workflow_call`, so it cannot be called");
  }
  for (const auto& entry : job.with) {
    const std::string& k = entry.first;
    bool known = std::any_of(called.call_inputs.begin(), called.call_inputs.end(),
                             [&k](const InputSpec& s) { return s.name == k; });
    if (!known) {
      std::string names;
      for (const auto& s : called.call_inputs) names += (names.empty() ? "" : ", ") + s.name;
      return InvalidArgument(where + " has no input " + k +
                             " (its inputs: " + (names.empty() ? "none" : names) + ")");
    }
  }
  for (const auto& s : called.call_inputs) {
    if (s.required && !s.default_value && !job.with.count(s.name)) {
      return InvalidArgument(where + ": input " + s.name + " is required; give it in `with:`");
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const Workflow>> LoadCalled(const Workflow& wf, const Job& job,
                                                   const RunOptions& o,
                                                   const std::vector<std::string>& stack) {
  ASSIGN_OR_RETURN(std::string file, CalledFile(wf, job, o));
  std::string where = job.pos.ToString() + ": job " + job.id + ": ";
  for (const auto& f : stack) {
    if (RealPathOf(f) == RealPathOf(file)) {
      return InvalidArgument(where + "calling " + file + " makes a cycle of reusable workflows");
    }
  }
  if (stack.size() >= kMaxCallDepth) {
    return InvalidArgument(where + "reusable workflows nest at most " +
                           std::to_string(kMaxCallDepth) + " levels deep");
  }
  auto parsed = ParseWorkflowFile(file);
  if (!parsed.ok()) return parsed.status().WithContext(where + "uses");
  RETURN_IF_ERROR(CheckCall(job, *parsed));
  // As GitHub, a workflow without `name:` is named by its path in the repository.
  if (parsed->name == parsed->file) parsed->name = RepoRelative(file, o.workspace);
  return std::make_shared<const Workflow>(std::move(*parsed));
}

}  // namespace

Status AddPlannedRuns(RunPlan& plan, size_t w, const Workflow& wf, const std::vector<JobRun>& runs,
                      const std::vector<size_t>& root_needs,
                      const std::shared_ptr<const CallFrame>& frame, const RunOptions& options,
                      std::vector<std::string>& stack) {
  std::map<std::string, std::vector<size_t>> instances;  // job id → indices in plan.jobs
  for (const JobRun& run : runs) {
    PlannedJob p{w, run, {}, &wf, frame, false};
    for (const auto& need : run.job->needs) {
      const auto& of = instances[need];
      p.needs.insert(p.needs.end(), of.begin(), of.end());
    }
    if (run.job->needs.empty()) p.needs.insert(p.needs.end(), root_needs.begin(), root_needs.end());
    if (!run.job->uses.empty()) {
      if (run.matrix_deferred) {  // its calls are planned before its needs have run
        return InvalidArgument(run.job->matrix_pos.ToString() + ": job " + run.job->id +
                               ": a matrix from needs on a job that calls a reusable workflow "
                               "is not supported yet; give the matrix in the workflow, or move "
                               "the matrix into the called workflow's jobs");
      }
      ASSIGN_OR_RETURN(auto called, LoadCalled(wf, *run.job, options, stack));
      plan.called.push_back(called);
      auto inner =
          std::make_shared<CallFrame>(CallFrame{run.job, run, &wf, called, p.needs, frame});
      ASSIGN_OR_RETURN(std::vector<JobRun> inner_runs, PlanRun(*called, ""));
      for (auto& r : inner_runs) r.display = run.display + "/" + r.display;
      size_t first = plan.jobs.size();
      stack.push_back(called->file);
      Status s = AddPlannedRuns(plan, w, *called, inner_runs, p.needs, inner, options, stack);
      stack.pop_back();
      RETURN_IF_ERROR(s);
      p.needs.clear();
      for (size_t i = first; i < plan.jobs.size(); ++i) p.needs.push_back(i);
      p.call = inner;
      p.join = true;
    }
    instances[run.job->id].push_back(plan.jobs.size());
    plan.jobs.push_back(std::move(p));
  }
  return Status::Ok();
}

}  // namespace kiln::workflow
