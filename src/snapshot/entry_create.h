// Creating one extracted entry inside a directory fd, never following a symlink, with owner,
// mode, times and xattrs set through fds (helpers of ApplyLayer).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "snapshot/tar_read.h"

namespace kiln::snapshot {

// Removes `name` in `dir` if present (a directory with everything below it, not crossing mounts).
Status RemoveExisting(int dir, const std::string& name, const std::string& where);
// Creates the current entry of `tar` (dir, file, symlink, fifo, device) as `name` in `dir`. An
// existing directory is kept (its metadata updated) when the entry is a directory; anything else
// in the way is removed first. A regular file's data is written block by block at its offsets,
// so a sparse entry's holes stay holes; the bytes written are taken from `budget`, and when it
// runs out (goes negative) the entry fails. Devices need root (mknod); set-id bits are not kept
// on them.
Status CreateEntry(int dir, const std::string& name, archive_entry* e, TarReader& tar,
                   int64_t& budget);
// Hardlinks `name` in `dir` to `target` (a cleaned path resolved inside the root).
Status CreateHardlink(int root_fd, int dir, const std::string& name, const std::string& target);

}  // namespace kiln::snapshot
