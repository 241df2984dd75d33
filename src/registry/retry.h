// Bounded retries with exponential backoff (RetryPolicy in client.h) for the client's requests.
// Internal to registry/.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "registry/client.h"
#include "registry/transport.h"

namespace kiln::registry {

// True when another try may succeed: a transfer that failed below HTTP (Unavailable,
// DeadlineExceeded), 429 and 5xx.
bool IsTransient(const Result<Response>& result);

// Seconds to wait before retry `n` (1 = the first retry): initial_backoff·2^(n-1), at most
// max_backoff, times a jitter in [0.5, 1].
double Backoff(const RetryPolicy& policy, int n);

// Sleeps per `policy` (its `sleep`, else the real sleep).
void SleepFor(const RetryPolicy& policy, double seconds);

struct AttemptNotes {
  bool permanent = false;   // the attempt's failure is not the registry's (a sink's error)
  bool progressed = false;  // the attempt moved the transfer on: the count starts again
};

// Runs `attempt` until its result is not transient or `policy.attempts` tries were made,
// backing off between tries and telling `log` ("WHAT: 503 …, retrying in 0.5s (2 of 5)").
// Returns the last result; `*tries` counts the tries made.
Result<Response> WithRetries(const RetryPolicy& policy, const std::string& what,
                             const std::function<void(const std::string&)>& log,
                             const std::function<Result<Response>(AttemptNotes&)>& attempt,
                             int* tries);

}  // namespace kiln::registry
