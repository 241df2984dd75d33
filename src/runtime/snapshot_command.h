// Where the kiln-snapshot command is in every crun sandbox (internal to runtime/; the contract is
// in sandbox.h): kiln-init's binary, bind-mounted read-only at /usr/local/bin/kiln-snapshot
// (kiln-init is that command when run under that name). The mount target is an empty file in
// the sandbox's own lower layer (etc_files.h), on top of the image's layers, so crun never
// creates it in the upper dir and no capture holds it. /usr, /usr/local and /usr/local/bin get
// the image's mode, owner and times there, since overlay shows a merged directory with its
// topmost layer's; where the image has none, root's 0755.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

inline constexpr const char* kSnapshotCommandPath = "/usr/local/bin/kiln-snapshot";

// The image's entry for `rel` ("etc", "usr/local") as overlay shows it: that of the topmost
// layer that has one. nullopt when none has it or that one is a whiteout (a 0/0 char device).
std::optional<struct stat> ImageEntry(const std::vector<std::string>& lower_dirs,
                                      const std::string& rel);
// Gives the directory `path` the mode, owner and times of `st`.
Status CopyDirAttributes(const std::string& path, const struct stat& st);

// Makes the mount target in `layer` and returns the bind mount of `init_host_path` there.
// nullopt (the sandbox has no kiln-snapshot) when the image's /usr, /usr/local or
// /usr/local/bin is something else than a directory: a directory over a symlink would hide
// where it points.
Result<std::optional<BindMount>> PlaceSnapshotCommand(const std::string& layer,
                                                      const std::vector<std::string>& lower_dirs,
                                                      const std::string& init_host_path);

}  // namespace kiln::runtime
