// Reusable workflows (`jobs.<id>.uses: ./.github/workflows/x.yml`), internal to workflow/.
// Planning expands a caller job (each instance of its matrix) into the called workflow's jobs,
// shown as "caller/inner": the called jobs without needs wait for the caller's needs, and the
// caller itself becomes a join that needs every called job. When a called job starts it gets
// RunOptions of its own: `inputs` from the caller's with: (typed per on.workflow_call.inputs,
// defaults filled) and `secrets` as the caller passes them (a map, or `inherit`), evaluated in
// the caller's context. The caller's result is its called jobs' (failure if any failed), and
// its outputs are on.workflow_call.outputs evaluated over the called jobs' (the `jobs`
// context). Calls nest up to kMaxCallDepth levels; a workflow calling itself (directly or not)
// is an error.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workflow/run_plan.h"

namespace kiln::workflow {

inline constexpr size_t kMaxCallDepth = 4;  // GitHub: "up to four levels of workflows"

struct CallFrame {
  const Job* caller = nullptr;
  JobRun caller_run;                       // the caller's instance (matrix, display)
  const Workflow* caller_wf = nullptr;     // the workflow the caller is in
  std::shared_ptr<const Workflow> called;  // the workflow it calls
  // Plan indices of the caller's needs; the scheduler adds the instances of a need whose
  // matrix it expands later (under its lock, the only place frames are read while jobs run).
  mutable std::vector<size_t> caller_needs;
  std::shared_ptr<const CallFrame> parent;  // the call the caller itself runs in, or null
};

// Adds a workflow's planned runs to the plan, expanding calls (recursively). `root_needs` are
// added to the needs of runs that need nothing in their own workflow; `frame` is the call they
// run in (null at the top level); `stack` the files being expanded (for cycles and depth).
Status AddPlannedRuns(RunPlan& plan, size_t w, const Workflow& wf, const std::vector<JobRun>& runs,
                      const std::vector<size_t>& root_needs,
                      const std::shared_ptr<const CallFrame>& frame, const RunOptions& options,
                      std::vector<std::string>& stack);

// The options of the jobs of a call: `outer` (the caller's level) with the call's inputs and
// secrets. `caller_needs`: the caller's needs context. Errors name the caller's FILE:LINE.
Result<RunOptions> CallOptions(const CallFrame& f, const RunOptions& outer,
                               const Json& caller_needs);
// Whether the called jobs run: the caller's `if` (default success() of its needs).
Result<bool> CallerCondition(const CallFrame& f, const RunOptions& outer, const Json& caller_needs,
                             JobStatus needs_status);
// The caller's report once every job it needs (its called jobs) is done. `inner` are the
// options of the called jobs (for `inputs` in the outputs' expressions).
JobReport JoinReport(const RunPlan& plan, size_t index,
                     const std::vector<std::optional<JobReport>>& reports, const RunOptions& inner);
// The calls of one run, as its scheduler meets their jobs (not thread-safe: the scheduler uses
// it under its lock; the RunOptions it hands out stay valid and unchanged while it lives).
class CallRunner {
 public:
  CallRunner(const RunPlan& plan, const RunOptions& top) : plan_(plan), top_(top) {}
  // For plan.jobs[i], all of whose needs are done: the report to record instead of running
  // it (a caller's join; a called job whose caller's `if` is false, or whose call's inputs or
  // secrets fail), or nullopt: run it, with Options(i).
  std::optional<JobReport> Settle(size_t i, const std::vector<std::optional<JobReport>>& reports);
  const RunOptions& Options(size_t i) const;

 private:
  struct FrameState {
    bool run = true;
    std::string error;  // why the called jobs do not run (a skip when `failed` is false)
    bool failed = false;
    std::unique_ptr<RunOptions> options;
  };
  FrameState& StateOf(const CallFrame& f, const std::vector<std::optional<JobReport>>& reports);
  const RunOptions& OuterOf(const CallFrame& f) const;
  const RunPlan& plan_;
  const RunOptions& top_;
  std::map<const CallFrame*, FrameState> frames_;
};

// The inputs context of a job of `wf`: `inputs` typed per wf.call_inputs (booleans and numbers
// as such), else strings.
Json InputsContext(const Workflow& wf, const std::map<std::string, std::string>& inputs);

}  // namespace kiln::workflow
