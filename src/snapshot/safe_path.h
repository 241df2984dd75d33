// Paths inside an extraction root, resolved by the kernel so nothing escapes it:
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) treats the root as "/" for every symlink
// and ".." met on the way.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/fd.h"
#include "base/status.h"

namespace kiln::snapshot {

// Normalises a tar entry name: strips leading "./" and "/", drops "." components, collapses
// "//" and trailing "/". InvalidArgument for ".." components, a NUL byte and names over 4096
// bytes. "" is the root itself. Whiteout names (".wh.x", ".wh..wh..opq") pass unchanged: the
// layer code gives them their meaning and refuses the reserved ones (layer_apply.cc).
Result<std::string> CleanPath(std::string_view raw);

// Splits "a/b/c" into {"a/b", "c"}; {"", "c"} for "c".
std::pair<std::string, std::string> SplitParent(const std::string& clean);

// Opens directory `rel` under `root_fd`, resolved in the root. With `create`, missing
// components are made (mode 0755) on the way.
Result<UniqueFd> OpenDirInRoot(int root_fd, const std::string& rel, bool create);

// Reads the regular file `rel` under `root_dir`, resolved in the root (for reading an image's
// /etc/passwd without ever following a link out of it). At most `max_bytes`.
Result<std::string> ReadFileInRoot(const std::string& root_dir, const std::string& rel,
                                   size_t max_bytes = 1 << 20);

}  // namespace kiln::snapshot
