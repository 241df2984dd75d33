// Running a few independent tasks on a few threads (the blobs of a pull or push).
#pragma once

#include <atomic>
#include <functional>

#include "base/status.h"

namespace kiln::images {

// Runs fn(0) … fn(n-1) on up to `threads` threads and waits for all. After the first error,
// tasks not yet started are skipped, `*stop` (when given) is set so running ones can give up
// early, and that first error is returned.
Status RunParallel(size_t n, int threads, const std::function<Status(size_t)>& fn,
                   std::atomic<bool>* stop = nullptr);

}  // namespace kiln::images
