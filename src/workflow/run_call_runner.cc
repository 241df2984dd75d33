// CallRunner (run_call.h): the state of a run's reusable-workflow calls, as the scheduler
// meets their jobs: whether each call's jobs run and with which options, and the callers'
// reports.
#include "workflow/run_call.h"

namespace kiln::workflow {

const RunOptions& CallRunner::OuterOf(const CallFrame& f) const {
  if (f.parent == nullptr) return top_;
  auto it = frames_.find(f.parent.get());
  return it != frames_.end() && it->second.options ? *it->second.options : top_;
}

CallRunner::FrameState& CallRunner::StateOf(const CallFrame& f,
                                            const std::vector<std::optional<JobReport>>& reports) {
  auto it = frames_.find(&f);
  if (it != frames_.end()) return it->second;
  FrameState st;
  if (f.parent != nullptr) {
    FrameState& parent = StateOf(*f.parent, reports);
    if (!parent.run) st = {false, parent.error, parent.failed, nullptr};
  }
  if (st.run) {
    bool ok = true;
    Json needs = NeedsContextOf(plan_, f.caller_needs, f.caller->needs, reports, &ok);
    ok = ok && ChainSucceeded(plan_, f.caller_needs, f.parent.get(), reports);
    const RunOptions& outer = OuterOf(f);
    auto go = CallerCondition(f, outer, needs,
                              NeedsStatus(ok, plan_, f.caller_needs, f.parent.get(), reports));
    if (!go.ok() || !*go) {
      st.run = false;
      st.failed = !go.ok();
      st.error = !go.ok() ? go.status().message()
                 : ok     ? "skipped: the caller's if is false"
                          : "skipped: a job the caller needs failed";
    } else {
      auto o = CallOptions(f, outer, needs);
      if (o.ok()) {
        st.options = std::make_unique<RunOptions>(std::move(*o));
      } else {
        st = {false, o.status().message(), true, nullptr};
      }
    }
  }
  return frames_.emplace(&f, std::move(st)).first->second;
}

std::optional<JobReport> CallRunner::Settle(size_t i,
                                            const std::vector<std::optional<JobReport>>& reports) {
  const PlannedJob& p = plan_.jobs[i];
  if (p.call == nullptr) return std::nullopt;
  FrameState& st = StateOf(*p.call, reports);
  if (p.join) {
    JobReport r = JoinReport(plan_, i, reports, st.options ? *st.options : OuterOf(*p.call));
    if (!st.run) {
      r.result = st.failed ? Outcome::kFailure : Outcome::kSkipped;
      r.error = st.error;
    }
    return r;
  }
  if (st.run) return std::nullopt;
  JobReport r;
  r.workflow = p.wf->file;
  r.id = p.run.job->id;
  r.name = p.run.display;
  r.result = st.failed ? Outcome::kFailure : Outcome::kSkipped;
  r.error = st.error;
  return r;
}

const RunOptions& CallRunner::Options(size_t i) const {
  const PlannedJob& p = plan_.jobs[i];
  if (p.call == nullptr) return top_;
  auto it = frames_.find(p.call.get());
  return it != frames_.end() && it->second.options ? *it->second.options : top_;
}

}  // namespace kiln::workflow
