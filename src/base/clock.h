// Time: a Clock interface (real and fake) and a Stopwatch for phase timings.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kiln {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch (wall clock, for records).
  virtual int64_t NowUnix() = 0;
  // The process-wide real clock.
  static Clock* Real();
};

// RFC 3339 UTC, e.g. "2026-11-22T14:41:42Z" (OCI `created` fields).
std::string FormatRfc3339(int64_t unix_seconds);

// Monotonic elapsed time since construction or Reset().
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void Reset() { start_ = std::chrono::steady_clock::now(); }
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// "1.23s", "450ms", "2m03s".
std::string FormatDuration(double seconds);
// "1.5 GB", "12.0 MB", "512 B" (decimal units, as registries show sizes).
std::string FormatBytes(uint64_t bytes);

}  // namespace kiln
