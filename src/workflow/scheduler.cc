// ScheduleJobs: the run's jobs as a state machine. Each job is waiting, running or done; the
// scheduler's loop is two phases, repeated until nothing runs and nothing more may start:
//   StartReady — start, in plan order, each waiting job whose needs are all done, while fewer
//                than `limit` run and the run is not interrupted;
//   AwaitOne   — sleep until a running job finishes, then join its thread.
// Job threads touch the shared state only to record their report, under the lock.
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
        threads_(plan.jobs.size()) {}

  std::vector<std::optional<JobReport>> Run() {
    std::unique_lock lock(mu_);
    while (true) {
      StartReady();
      if (running_ == 0) break;  // nothing runs, and nothing more may start
      AwaitOne(lock);
    }
    return std::move(reports_);
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
    for (size_t i = 0; i < state_.size() && running_ < limit_; ++i) {
      if (state_[i] != JobState::kWaiting || !Ready(i)) continue;
      if (Interrupted()) return;                        // no further job starts
      if (auto settled = calls_.Settle(i, reports_)) {  // reusable workflows (run_call.h)
        reports_[i] = std::move(*settled);
        state_[i] = JobState::kDone;
        continue;
      }
      bool needs_ok = true;
      Json needs = NeedsContext(plan_, i, reports_, &needs_ok);
      state_[i] = JobState::kRunning;
      ++running_;
      const RunOptions& options = calls_.Options(i);
      threads_[i] = std::thread([this, i, needs = std::move(needs), needs_ok, &options] {
        const PlannedJob& p = plan_.jobs[i];
        const Workflow& wf = p.wf != nullptr ? *p.wf : workflows_[p.workflow];
        JobReport report = RunJob(wf, p.run, needs, needs_ok, options, engine_, run_id_);
        std::lock_guard done(mu_);
        reports_[i] = std::move(report);
        state_[i] = JobState::kDone;
        finished_.push_back(i);
        cv_.notify_one();
      });
    }
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
  const RunPlan& plan_;
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
  CallRunner calls_{plan_, options_};              // guarded by mu_
};

}  // namespace

std::vector<std::optional<JobReport>> ScheduleJobs(const std::vector<Workflow>& workflows,
                                                   const RunPlan& plan, const RunOptions& options,
                                                   size_t limit, jobs::Engine& engine,
                                                   const std::string& run_id) {
  return Scheduler(workflows, plan, options, limit < 1 ? 1 : limit, engine, run_id).Run();
}

}  // namespace kiln::workflow
