// Filesystem helpers. Paths are std::string; every fd opened is O_CLOEXEC.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiln {

Result<std::string> ReadFile(const std::string& path);
// Writes `data` to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs
// the directory: readers see the old or the new content, never a part.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);
// WriteFileAtomic for content too large to hold in memory: `fill` writes it to the fd it is
// given (the temporary file). On any error the temporary file is removed and `path` untouched.
Status WriteFileAtomicWith(const std::string& path, int mode,
                           const std::function<Status(int fd)>& fill);
// The same without fsync (readers still never see half a file): for scratch files that a crash
// may lose because whatever needs them is swept or rebuilt then (a sandbox's bundle, a step's
// script and command files). Saves two syncs per file on every sandbox start and step.
Status WriteScratchFile(const std::string& path, std::string_view data, int mode = 0644);
// fsync(2) on a directory, so a rename or create inside it is durable.
Status FsyncDir(const std::string& dir);
// syncfs(2): everything written to the filesystem that holds `path` is durable.
Status SyncFilesystem(const std::string& path);
// mkdir -p. Existing directories are fine.
Status MakeDirs(const std::string& path, int mode = 0755);
// rm -rf that never follows symlinks and never crosses into another filesystem (a mount left
// inside is an error, not a deletion of the mounted tree). Missing `path` is Ok. Iterative, with
// a bounded number of open fds at any depth (subtrees deeper than that are renamed up into
// `path` as .kiln-rm-N and removed from there). A directory without u+rwx (a read-only 0555 one
// of Go's module cache, or 0000) is given u+rwx before it is emptied, so a tree of its own
// files is removed without CAP_DAC_OVERRIDE too.
Status RemoveTree(const std::string& path);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// Names in `dir` (no "." and ".."), sorted.
Result<std::vector<std::string>> ListDir(const std::string& dir);
// A new directory "<parent>/<prefix>XXXXXX".
Result<std::string> MakeTempDir(const std::string& parent, const std::string& prefix);
// Joins path parts with exactly one '/' between them.
std::string JoinPath(std::string_view a, std::string_view b);
// Directory containing the running executable (from /proc/self/exe).
std::string SelfExeDir();

}  // namespace kiln
