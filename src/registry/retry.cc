#include "registry/retry.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include "base/clock.h"

namespace kiln::registry {

bool IsTransient(const Result<Response>& result) {
  if (!result.ok()) {
    Code code = result.status().code();
    return code == Code::kUnavailable || code == Code::kDeadlineExceeded;
  }
  return result->status == 429 || result->status >= 500;
}

double Backoff(const RetryPolicy& policy, int n) {
  thread_local std::mt19937 rng{std::random_device{}()};
  double base = std::min(policy.max_backoff, policy.initial_backoff * std::pow(2.0, n - 1));
  return base * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

void SleepFor(const RetryPolicy& policy, double seconds) {
  if (policy.sleep) {
    policy.sleep(seconds);
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
}

Result<Response> WithRetries(const RetryPolicy& policy, const std::string& what,
                             const std::function<void(const std::string&)>& log,
                             const std::function<Result<Response>(AttemptNotes&)>& attempt,
                             int* tries) {
  int failed = 0;  // failed tries since the last progress
  *tries = 0;
  while (true) {
    AttemptNotes notes;
    Result<Response> result = attempt(notes);
    ++*tries;
    if (!IsTransient(result) || notes.permanent) return result;
    failed = notes.progressed ? 1 : failed + 1;
    if (failed >= std::max(policy.attempts, 1)) return result;
    double wait = Backoff(policy, failed);
    if (log) {
      std::string why =
          result.ok() ? "HTTP " + std::to_string(result->status) : result.status().message();
      log(what + ": " + why + ", retrying in " + FormatDuration(wait) + " (" +
          std::to_string(failed + 1) + " of " + std::to_string(policy.attempts) + ")");
    }
    SleepFor(policy, wait);
  }
}

}  // namespace kiln::registry
