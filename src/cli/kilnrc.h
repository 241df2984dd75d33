// .kilnrc: default flags for `kiln run`, as act's .actrc. One flag a line (`-P
// ubuntu-latest=debian:bookworm`, `--var X=1`, `--json`); lines are trimmed, $NAME and ${NAME}
// expanded from the environment (in ~/.kilnrc only), and a line starting with '-' is split at its
// first blank into the flag and its value (the value is taken as is: quotes stay, as act keeps
// them); every other line (blank, # comment) is ignored.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/flags.h"

namespace kiln::cli {

using GetEnv = std::function<const char*(const char*)>;

// The args of one defaults file. Each line's flag is checked against `specs`: an unknown
// flag, a missing value or a stray word is InvalidArgument naming FILE:LINE.
// `repo` non-empty: the file is that repository's own .kilnrc, which anyone who made the
// repository wrote: no $NAME expansion, and only flags that change what runs (-P, --event,
// -W, -j, --var, --var-file, --input, --input-file, --env, -a, --defaultbranch, --remote-name,
// --github-instance, --concurrent-jobs, --strict-labels, --action-cache, -v), their paths
// inside `repo`; any other is InvalidArgument naming FILE:LINE and where to put it instead.
Result<std::vector<std::string>> ParseRcFile(const std::string& text, const std::string& file,
                                             const std::vector<FlagSpec>& specs,
                                             const GetEnv& getenv, const std::string& repo = "");

// `args` after the defaults of HOME/.kilnrc (trusted fully, as act's ~/.actrc), then
// DIR/.kilnrc (the repository's: ParseRcFile with `repo` DIR) (each read when it exists; the
// same file once), so the command line comes last and wins, as act orders ~/.actrc, ./.actrc
// and its arguments.
Result<std::vector<std::string>> WithRcFiles(const std::vector<std::string>& args,
                                             const std::string& home, const std::string& dir,
                                             const std::vector<FlagSpec>& specs,
                                             const GetEnv& getenv);

}  // namespace kiln::cli
