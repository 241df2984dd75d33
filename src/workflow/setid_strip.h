// Set-id bits in the host dirs a job writes to (its workspace, temp and home are bind mounts
// of host dirs). The sandbox mounts them nosuid, but on the host's own mounts a setuid-root
// file a job made (`cp /bin/bash x; chmod 4755 x`) would give any local user a root shell.
#pragma once

#include <string>

#include "base/status.h"

namespace kiln::workflow {

struct StripStats {
  size_t entries = 0;       // directory entries looked at
  size_t stripped = 0;      // regular files whose S_ISUID/S_ISGID were removed
  size_t capabilities = 0;  // regular files whose security.capability xattr was removed
  size_t devices = 0;       // character and block device nodes removed
};

// Walks the tree under `root` and makes what a job left there harmless to host users: removes
// S_ISUID and S_ISGID and the file capabilities (security.capability) from every regular file,
// and removes character and block device nodes. The walk goes through dir fds only: no symlink is
// followed (O_NOFOLLOW; each file is opened O_PATH|O_NOFOLLOW, checked with fstat and changed
// through that fd, so a file swapped for a link meanwhile is not touched), and no mount point is
// crossed (mount ids compared). Directories keep their setgid bit: it only sets the group of new
// files and grants nothing. Safe to run while processes in the sandbox still change the tree. An
// entry that cannot be fixed does not stop the walk; the first such error is returned after it.
// FailedPrecondition for a tree nested deeper than kMaxSetIdDepth: the directory at that depth is
// made mode 0700 (root only) instead of walked.
inline constexpr int kMaxSetIdDepth = 256;
Result<StripStats> StripSetIdBits(const std::string& root);

}  // namespace kiln::workflow
