// Creating one extracted entry inside a directory fd, never following a symlink, with owner,
// mode, times and xattrs set through fds (helpers of ApplyLayer).
#pragma once

#include <string>

#include "base/status.h"
#include "snapshot/tar_read.h"

namespace kiln::snapshot {

// Removes `name` in `dir` if present (a directory with everything below it, not crossing mounts).
Status RemoveExisting(int dir, const std::string& name, const std::string& where);
// Creates the current entry of `tar` (dir, file, symlink, fifo) as `name` in `dir`. An existing
// directory is kept (its metadata updated) when the entry is a directory; anything else in the
// way is removed first.
Status CreateEntry(int dir, const std::string& name, archive_entry* e, TarReader& tar);
// Hardlinks `name` in `dir` to `target` (a cleaned path resolved inside the root).
Status CreateHardlink(int root_fd, int dir, const std::string& name, const std::string& target);

}  // namespace kiln::snapshot
