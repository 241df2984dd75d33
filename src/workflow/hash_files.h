// hashFiles() of the expression language, as GitHub's runner computes it: the files of the
// workspace matched by the patterns, walked depth first with each directory's names in byte
// order (as @actions/glob walks them), each file's SHA-256, and the SHA-256 of those digests
// (raw, concatenated) in lower-case hex; "" when nothing matches.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::workflow {

// The most directory entries one call visits; past it, hashFiles fails (FailedPrecondition).
inline constexpr size_t kMaxHashFilesEntries = 200000;

// Patterns: each argument may hold several, one per line (blank lines and `#` comments skipped).
// Relative to the workspace; `*` and `?` and `[…]` match within a name, `**` any number of
// directories; a leading `!` excludes what earlier patterns matched (the last matching pattern
// decides); a pattern also matches everything under a directory it matches (`foo/`: only that).
// A pattern starting with `in_box_workspace/` (github.workspace) is made relative; other
// absolute ones match nothing. Symlinks: a directory link is not entered; a file link is hashed
// only if it resolves to a regular file inside the workspace. "--follow-symbolic-links" as the
// first pattern is accepted and ignored (links never lead out of the workspace).
Result<std::string> HashFiles(const std::string& workspace_host,
                              const std::string& in_box_workspace,
                              const std::vector<std::string>& patterns);

}  // namespace kiln::workflow
