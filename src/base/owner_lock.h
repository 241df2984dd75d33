// Ownership of scratch files and directories by flock(2), for entries that a killed kiln leaves
// behind (partial blobs in oci/ingest, a run's dir in runs/).
//
// The owner holds LOCK_EX on an fd of the entry itself for as long as it uses the entry. The
// kernel drops the lock when the last fd goes, so it dies with the process, kill -9 included,
// and a sweeper removes exactly the entries whose owner is gone: those it can lock itself. No
// age threshold is involved, so a slow live owner is never swept and a just-killed one's entry
// is. The lock fd is O_CLOEXEC: a child (crun, a job's process) never inherits the ownership.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/fd.h"
#include "base/status.h"

namespace kiln {

// Makes a new entry and takes ownership of it: `create` makes a uniquely named file or
// directory and returns its path and an O_CLOEXEC fd of it (e.g. mkostemp, mkdtemp + open).
// The fd is locked (LOCK_EX, waiting if a sweeper holds it) and then checked to be still named
// by the path: a sweeper may have removed the entry between its creation and the lock (or before
// `create` opened it: `create` then returns NotFound), in which case a new one is made. Returns the
// locked fd; `path` receives the entry's path.
Result<UniqueFd> CreateOwned(const std::function<Result<UniqueFd>(std::string& path)>& create,
                             std::string& path);

struct SweepCount {
  int entries = 0;    // files or directories removed
  int64_t bytes = 0;  // their allocated size
  Status failed;      // the first removal that failed (that entry stays; the sweep goes on)
};

// Removes every entry of `dir` that nobody owns (no process holds a lock on it), each with
// everything in it; entries a live process owns are left alone. Entries that are neither files
// nor directories are removed as well (nothing kiln makes there). A missing `dir` is Ok; an
// unreadable one is an error.
Result<SweepCount> SweepUnowned(const std::string& dir);

}  // namespace kiln
