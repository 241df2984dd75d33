// The files through which a step talks to kiln (GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY) and its script, on the host side. They live in the job's temp dir,
// which the sandbox sees at /__w/_temp and a step can change at will: it may replace any of
// them (or the _runner_file_commands dir) by a symlink to a host path, a FIFO or a huge file.
// So every access goes through a dir fd of the temp dir with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV): no symlink is followed, no
// path leaves the temp dir, files are created with O_EXCL, and only regular files of at most
// kMaxFileCommandBytes are read (O_NONBLOCK, so a FIFO cannot block kiln).
#pragma once

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"

namespace kiln::workflow {

// GitHub's limit for each file-command file is 1 MiB; kiln's too.
inline constexpr size_t kMaxFileCommandBytes = 1 << 20;
inline constexpr const char* kCommandDir = "_runner_file_commands";

// Opens the job's host temp dir (O_DIRECTORY | O_NOFOLLOW).
Result<UniqueFd> OpenTempDir(const std::string& host_temp);

// Creates kCommandDir under `temp_fd` if missing, then each of `names` in it, empty, with
// O_EXCL (an existing file or link of that name is an error). FailedPrecondition when
// kCommandDir is not a directory (a step replaced it by a link or a file). `owner` ≥ 0: the
// files (and a new kCommandDir) are given to that uid:gid (a job container's --user).
struct FileOwner {
  int uid = -1, gid = -1;
};
Status CreateCommandFiles(int temp_fd, const std::vector<std::string>& names, FileOwner owner = {});

// The content of kCommandDir/`name`; "" when the step removed it. `what` names the file in
// errors ("GITHUB_ENV"). FailedPrecondition for a symlink or anything but a regular file,
// InvalidArgument when larger than kMaxFileCommandBytes.
Result<std::string> ReadCommandFile(int temp_fd, const std::string& name, const std::string& what);

// Writes a step's script as a new file `name` (mode 0700, O_EXCL) directly under `temp_fd`.
Status WriteStepScript(int temp_fd, const std::string& name, const std::string& text,
                       FileOwner owner = {});

// Removes `name` under `temp_fd` (kCommandDir/ prefixes allowed); missing is fine.
void RemoveStepFile(int temp_fd, const std::string& name);

}  // namespace kiln::workflow
