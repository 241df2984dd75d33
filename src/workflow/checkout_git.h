// git for the built-in actions/checkout (builtin_checkout*.cc): git as a subprocess (no shell)
// with kiln's environment minus GIT_* (a GIT_DIR of a hook kiln runs in would redirect it), no
// credential prompt, and safe.directory for any owner (the workspace may belong to the
// sandbox's root).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::workflow {

// `git -C dir ARGS...`: its stdout without trailing newlines; an error naming the git command
// and its stderr when it exits non-zero.
Result<std::string> CheckoutGit(const std::string& dir, std::vector<std::string> args);

// The path with symlinks resolved (realpath); the normalized path when it does not exist.
std::string ResolvedPath(const std::string& path);

}  // namespace kiln::workflow
