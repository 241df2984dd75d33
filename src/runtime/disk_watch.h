// The disk cap of a sandbox (its size's disk figure): what the sandbox adds to its image lives
// in the overlay upper dir on kiln's state filesystem, which is ext4 without project quotas on
// the hosts kiln meets, so the cap is a watchdog. While a command runs, a thread measures the
// upper dir's allocated blocks (every 200 ms, or 4× as long as a measurement took) and, once
// over the cap, kills the sandbox's processes; the dir is measured again before and after every
// command, so a command that fills it faster than the watchdog looks still fails.
// Trade-off: between two looks a writer can go past the cap by what it writes in that time
// (disk speed × ≤ 200 ms, more for huge trees); a project quota would refuse the write itself,
// but needs a filesystem mounted with project quotas, and a size-limited upper filesystem
// would cost a mkfs per sandbox and break moving the upper dir into the layer cache.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"

namespace kiln::runtime {

// Bytes allocated on disk by `dir` and everything under it (st_blocks; hard links once; never
// crossing into another filesystem). Files that vanish while it walks are skipped; a tree
// nested deeper than 1024 directories, or a directory that cannot be opened, is an error (what
// cannot be measured is not let through).
Result<int64_t> AllocatedBytes(const std::string& dir);

// Runs `check` every 200 ms (or 4× as long as it took) on a thread of its own until stopped;
// the first time it fails, keeps that Status and calls `on_fail` (from that thread), then
// stops looking.
class DiskWatch {
 public:
  DiskWatch(std::function<Status()> check, std::function<void()> on_fail);
  ~DiskWatch();  // Stop()
  DiskWatch(const DiskWatch&) = delete;
  DiskWatch& operator=(const DiskWatch&) = delete;
  // Stops the thread; then verdict() is final.
  void Stop();
  // Ok, or the first failure of `check`.
  Status verdict() const;

 private:
  void Run();
  std::function<Status()> check_;
  std::function<void()> on_fail_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  Status verdict_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace kiln::runtime
