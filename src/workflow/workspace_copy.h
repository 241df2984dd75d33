// The job's copy of the user's checkout (RunOptions::bind_workspace false): a per-repository
// mirror under <state_dir>/workspaces/<sha256 of the repo path, 16 hex>/tree, synced from the
// checkout incrementally, then copied for each job (each job gets its own, as on GitHub and act).
//
// SyncTree makes `dst` an exact copy of `src` (but `skip`): new and changed regular files (size,
// mtime or type differ) are copied, modes and mtimes (and owners, as root) set, entries gone from
// `src` deleted, a file replaced by a directory (or back) replaced, symlinks copied as symlinks
// (never followed, never resolved), other special files (sockets, devices, fifos) left out. File
// data is cloned (FICLONE) where the filesystem can, else copied in the kernel (copy_file_range),
// on `threads` threads.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::workflow {

struct SyncStats {
  int files_copied = 0;  // regular files whose data was written
  int entries_removed = 0;
  int64_t bytes_copied = 0;
};

// `skip`: paths relative to `src` ("build", "a/b.o") left out of `dst` (and removed from it).
// With `remove_extra` false, entries of `dst` that `src` lacks are kept (an overlay, not a copy).
Result<SyncStats> SyncTree(const std::string& src, const std::string& dst, int threads = 2,
                           const std::set<std::string>& skip = {}, bool remove_extra = true);

// What git ignores in the checkout `repo` (.gitignore, .git/info/exclude, core.excludesFile),
// as act leaves it out of a job's copy and a GitHub checkout never has it: relative paths, an
// ignored directory as one entry. Empty when `repo` is no git work tree (or git is missing).
std::set<std::string> GitIgnored(const std::string& repo);

// Syncs the mirror of `repo` (without what GitIgnored names; .git itself is copied) (under an
// exclusive flock of <mirror>.lock, so two runs of one repository never sync it at once) and copies
// it to `dest` (which must not exist yet). `leave_out`: files (any path naming them) that are
// left out too when they are inside `repo` (the secret files kiln read).
Status MakeWorkspaceCopy(const std::string& state_dir, const std::string& repo,
                         const std::string& dest, SyncStats* mirror_stats = nullptr,
                         const std::vector<std::string>& leave_out = {});

}  // namespace kiln::workflow
