// ScheduleJobs: the run's jobs as a state machine. Each job is waiting, running or done; the
// scheduler's loop is two phases, repeated until nothing runs and nothing more may start:
//   StartReady — start, in plan order, each waiting job whose needs are all done, while fewer
//                than `limit` run and the run is not interrupted;
//   AwaitOne   — sleep until a running job finishes, then join its thread.
// Job threads touch the shared state only to record their report, under the lock.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "workflow/job_runner.h"
#include "workflow/run_call.h"
#include "workflow/run_plan.h"

namespace kiln::workflow {
namespace {

enum class JobState { kWaiting, kRunning, kDone };

class Scheduler {
 public:
  Scheduler(const std::vector<Workflow>& workflows, const RunPlan& plan, const RunOptions& options,
            size_t limit, jobs::Engine& engine, const std::string& run_id)
      : workflows_(workflows),
        plan_(plan),
        options_(options),
        limit_(limit),
        engine_(engine),
        run_id_(run_id),
        state_(plan.jobs.size(), JobState::kWaiting),
        reports_(plan.jobs.size()),
        threads_(plan.jobs.size()),
        planned_(plan.jobs.size()) {
    for (size_t i = 0; i < planned_; ++i) origin_.push_back(i);
  }

  std::vector<std::optional<JobReport>> Run() {
    std::unique_lock lock(mu_);
    while (true) {
      StartReady();
      if (running_ == 0) break;  // nothing runs, and nothing more may start
      AwaitOne(lock);
    }
    // Each job's instances together, in plan order (ExpandDeferred appends the later ones).
    std::vector<std::optional<JobReport>> ordered;
    for (size_t i = 0; i < origin_.size(); ++i) {
      if (origin_[i] != i) continue;
      ordered.push_back(std::move(reports_[i]));
      for (size_t k = i + 1; k < origin_.size(); ++k)
        if (origin_[k] == i && k >= planned_) ordered.push_back(std::move(reports_[k]));
    }
    return ordered;
  }

 private:
  bool Interrupted() const { return options_.interrupts && options_.interrupts() > 0; }

  bool Ready(size_t i) const {
    for (size_t n : plan_.jobs[i].needs) {
      if (state_[n] != JobState::kDone) return false;
    }
    return true;
  }

  void StartReady() {
    bool again = true;  // a job that ends without a thread (a bad matrix, a call) frees others
    while (again) {
      again = false;
      for (size_t i = 0; i < state_.size() && running_ < limit_; ++i) {
        if (state_[i] != JobState::kWaiting || !Ready(i)) continue;
        if (Interrupted()) return;                        // no further job starts
        if (auto settled = calls_.Settle(i, reports_)) {  // reusable workflows (run_call.h)
          MaskReportWithSecrets(*settled, options_, &calls_.Options(i));
          reports_[i] = std::move(*settled);
          state_[i] = JobState::kDone;
          again = true;
          continue;
        }
        again |= !Start(i);
      }
    }
  }

  // Starts job i on a thread; false when it ended at once instead (its matrix failed).
  bool Start(size_t i) {
    JobStatus status = JobStatus::kSuccess;
    Json needs = NeedsContext(plan_, i, reports_, &status);
    bool needs_ok = status == JobStatus::kSuccess;
    if (plan_.jobs[i].run.matrix_deferred && !ExpandDeferred(i, needs, needs_ok)) return false;
    state_[i] = JobState::kRunning;
    ++running_;
    const RunOptions& options = calls_.Options(i);
    threads_[i] =
        std::thread([this, i, p = plan_.jobs[i], needs = std::move(needs), status, &options] {
          JobReport report = RunJob(WorkflowOf(p), p.run, needs, status, options, engine_, run_id_);
          std::lock_guard done(mu_);
          reports_[i] = std::move(report);
          state_[i] = JobState::kDone;
          finished_.push_back(i);
          cv_.notify_one();
        });
    return true;
  }

  // Replaces the placeholder of a job whose matrix reads `needs` (now known) by its instances:
  // the first in its place, the others appended, each needed by whatever needed the job. A
  // matrix that fails to evaluate or expands to nothing fails the job with the error (when
  // its needs did not all succeed, the job runs as one instance, which its `if` then skips).
  bool ExpandDeferred(size_t i, const Json& needs, bool needs_ok) {
    PlannedJob& p = plan_.jobs[i];
    p.run.matrix_deferred = false;
    Json contexts = MatrixContexts(calls_.Options(i));
    contexts["needs"] = needs;
    auto runs = ExpandJob(*p.run.job, contexts);
    if (!runs.ok() && !needs_ok) return true;
    if (!runs.ok()) {
      JobReport r;
      r.workflow = WorkflowOf(p).file;
      r.id = p.run.job->id;
      r.name = p.run.display;
      r.result = Outcome::kFailure;
      r.error = runs.status().message();
      MaskReportWithSecrets(r, options_, &calls_.Options(i));
      if (options_.out) options_.out("[" + WorkflowOf(p).name + "/" + r.name + "] ❌  " + r.error);
      reports_[i] = std::move(r);
      state_[i] = JobState::kDone;
      return false;
    }
    p.run = (*runs)[0];
    for (size_t k = 1; k < runs->size(); ++k) {
      size_t index = plan_.jobs.size();
      PlannedJob instance = plan_.jobs[i];
      instance.run = (*runs)[k];
      plan_.jobs.push_back(std::move(instance));
      state_.push_back(JobState::kWaiting);
      reports_.emplace_back();
      threads_.emplace_back();
      origin_.push_back(i);
      for (auto& other : plan_.jobs) {
        if (std::find(other.needs.begin(), other.needs.end(), i) != other.needs.end())
          other.needs.push_back(index);
        for (const CallFrame* f = other.call.get(); f != nullptr; f = f->parent.get()) {
          std::vector<size_t>& of = f->caller_needs;  // a caller that needs the job
          if (std::find(of.begin(), of.end(), i) != of.end() &&
              std::find(of.begin(), of.end(), index) == of.end())
            of.push_back(index);
        }
      }
    }
    return true;
  }

  const Workflow& WorkflowOf(const PlannedJob& p) const {
    return p.wf != nullptr ? *p.wf : workflows_[p.workflow];
  }

  void AwaitOne(std::unique_lock<std::mutex>& lock) {
    cv_.wait(lock, [this] { return !finished_.empty(); });
    std::vector<size_t> finished = std::move(finished_);
    finished_.clear();
    running_ -= finished.size();
    lock.unlock();
    for (size_t i : finished) threads_[i].join();
    lock.lock();
  }

  const std::vector<Workflow>& workflows_;
  RunPlan plan_;  // a copy: a job whose matrix reads `needs` grows it (ExpandDeferred)
  const RunOptions& options_;
  const size_t limit_;
  jobs::Engine& engine_;
  const std::string run_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<JobState> state_;                    // guarded by mu_
  std::vector<std::optional<JobReport>> reports_;  // guarded by mu_
  std::vector<size_t> finished_;                   // done, thread not joined yet; guarded by mu_
  size_t running_ = 0;                             // started, not yet joined; guarded by mu_
  std::vector<std::thread> threads_;               // by job; only the scheduler's thread touches it
  const size_t planned_;        // jobs in the plan as given; later ones are matrix instances
  std::vector<size_t> origin_;  // by job: the planned job it is an instance of (itself if one)
  CallRunner calls_{plan_, options_};  // guarded by mu_
};

}  // namespace

std::vector<std::optional<JobReport>> ScheduleJobs(const std::vector<Workflow>& workflows,
                                                   const RunPlan& plan, const RunOptions& options,
                                                   size_t limit, jobs::Engine& engine,
                                                   const std::string& run_id) {
  return Scheduler(workflows, plan, options, limit < 1 ? 1 : limit, engine, run_id).Run();
}

}  // namespace kiln::workflow
