// Pod::WaitHealthy: each service's health check run through Exec until it passes or has failed
// `retries` times after its start period, as docker counts them.
//
// A check that outlives its timeout counts as failed. Sandbox::Signal would reach the service's
// main process too, so a shell check (CMD-SHELL) first says its pid (kiln-init's agent makes
// each exec a process-group leader) and its group gets SIGKILL through a second exec; a CMD
// check (the image may have no shell) is left to end on its own. The check's thread holds its
// own attachment to the sandbox, so nothing it uses goes away under it.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "jobs/pod.h"

namespace kiln::jobs {
namespace {

constexpr size_t kMaxCheckOutput = 4096;
constexpr const char* kPidLine = "kiln-health-pid ";  // a shell check's first line of output

struct CheckRun {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  int code = -1;
  std::string output;
  std::string pid;  // a shell check's, in the sandbox
};

// Ends a timed-out shell check: SIGKILL to its process group, from inside the sandbox.
void KillCheck(runtime::Sandbox& box, const std::string& pid) {
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return;
  runtime::ExecSpec kill;
  kill.args = {"/bin/sh", "-c", "kill -9 -" + pid + " 2>/dev/null || kill -9 " + pid};
  (void)box.Exec(kill);
}

// The check's exit code and output; code -1 with a reason when it could not run or timed out.
std::pair<int, std::string> RunCheck(std::shared_ptr<runtime::Sandbox> box,
                                     const std::vector<std::string>& args, double timeout) {
  auto run = std::make_shared<CheckRun>();
  std::thread([box, args, run] {
    runtime::ExecSpec e;
    e.args = args;
    e.on_line = [run](const std::string& line, bool is_stderr, bool) {
      std::lock_guard<std::mutex> lock(run->mu);
      if (!is_stderr && run->pid.empty() && line.rfind(kPidLine, 0) == 0) {
        run->pid = line.substr(std::string(kPidLine).size());
      } else if (run->output.size() < kMaxCheckOutput) {
        run->output += line + "\n";
      }
    };
    auto code = box->Exec(e);
    std::lock_guard<std::mutex> lock(run->mu);
    if (!code.ok()) run->output += code.status().ToString();
    run->code = code.ok() ? *code : -1;
    run->done = true;
    run->done_cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(run->mu);
  auto limit = std::chrono::duration<double>(timeout > 0 ? timeout : 30);
  if (!run->done_cv.wait_for(lock, limit, [&] { return run->done; })) {
    std::string pid = run->pid;
    lock.unlock();
    KillCheck(*box, pid);
    return {-1, "the check timed out after " + FormatDuration(timeout)};
  }
  std::string out = run->output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {run->code, out};
}

Result<std::vector<std::string>> CheckArgs(const std::string& service, const HealthCheck& h) {
  if (h.test.size() >= 2 && h.test[0] == "CMD-SHELL")
    return std::vector<std::string>{
        "/bin/sh", "-c", std::string("echo ") + kPidLine + "$$; exec /bin/sh -c \"$0\"", h.test[1]};
  if (h.test.size() >= 2 && h.test[0] == "CMD")
    return std::vector<std::string>(h.test.begin() + 1, h.test.end());
  return InvalidArgument("service " + service +
                         ": a health check's test is [\"CMD-SHELL\", cmd] or [\"CMD\", argv…]");
}

}  // namespace

Status Pod::WaitHealthy(const std::function<void(const std::string&)>& log,
                        const std::function<bool()>& cancelled) {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  for (const auto& service : state_.services) {
    auto it = health_.find(service.name);
    if (it == health_.end()) continue;
    const HealthCheck& h = it->second;
    ASSIGN_OR_RETURN(std::vector<std::string> args, CheckArgs(service.name, h));
    ASSIGN_OR_RETURN(std::unique_ptr<runtime::Sandbox> attached, rt->Attach(service.id));
    std::shared_ptr<runtime::Sandbox> box = std::move(attached);
    Stopwatch since, said;
    int failures = 0, checks = 0;
    auto interrupted = [&] {
      return FailedPrecondition("interrupted while waiting for service " + service.name +
                                " to be healthy");
    };
    for (;;) {
      if (cancelled && cancelled()) return interrupted();
      auto [code, output] = RunCheck(box, args, h.timeout_seconds);
      ++checks;
      if (code == 0) {
        if (log) log("service " + service.name + " is healthy");
        break;
      }
      if (since.Seconds() >= h.start_period_seconds) ++failures;
      if (log && (checks == 1 || said.Seconds() >= 5)) {  // progress, at most every 5 s
        log("waiting for service " + service.name + " to be healthy (check " +
            std::to_string(checks) + " failed)");
        said = Stopwatch();
      }
      if (failures >= std::max(1, h.retries)) {
        return FailedPrecondition("service " + service.name + " is not healthy after " +
                                  std::to_string(checks) + " checks; the last said: " +
                                  (output.empty() ? "exit " + std::to_string(code) : output));
      }
      // The interval, in ticks, so an interrupt is seen soon.
      for (Stopwatch slept; slept.Seconds() < h.interval_seconds;) {
        if (cancelled && cancelled()) return interrupted();
        std::this_thread::sleep_for(std::chrono::milliseconds(
            static_cast<int>(std::min(50.0, (h.interval_seconds - slept.Seconds()) * 1000) + 1)));
      }
    }
  }
  return Status::Ok();
}

}  // namespace kiln::jobs
