#include "images/parallel.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::images {

Status RunParallel(size_t n, int threads, const std::function<Status(size_t)>& fn,
                   std::atomic<bool>* stop) {
  std::atomic<size_t> next{0};
  std::atomic<bool> local_stop{false};
  std::atomic<bool>* failed = stop != nullptr ? stop : &local_stop;
  std::mutex mu;
  Status first = Status::Ok();
  auto worker = [&] {
    for (size_t i = next++; i < n && !failed->load(); i = next++) {
      Status s = fn(i);
      if (s.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (first.ok()) first = s;
      failed->store(true);
    }
  };
  size_t count = std::min<size_t>(n, static_cast<size_t>(std::max(threads, 1)));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < count; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace kiln::images
