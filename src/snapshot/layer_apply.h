// Safe extraction of a layer tar stream into a directory.
//
// Every path is resolved inside the root (openat2 RESOLVE_IN_ROOT); symlinks in the tree are
// never followed out of it; modes, owners, times and xattrs are set through fds. Rejected, with
// InvalidArgument naming the entry: `..` components, absolute or escaping hardlinks, names with
// the reserved `.wh..` prefix other than the opaque marker, duplicate entries, paths or link
// targets over 4096 bytes, pax headers over 1 MiB. Device nodes other than whiteouts are skipped
// (the sandbox has its own /dev) and counted. setuid/setgid bits are kept (the layer cache root
// is 0700, and sandboxes run with no_new_privileges).
//
// OCI whiteouts become overlayfs whiteouts: `.wh.NAME` → a 0/0 character device NAME, and
// `.wh..wh..opq` → xattr trusted.overlay.opaque="y" on its directory, so the directory can be
// an overlay lower dir as it is.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace kiln::snapshot {

struct ApplyStats {
  oci::Digest diff_id;      // sha256 of the uncompressed tar stream
  int64_t uncompressed_bytes = 0;
  int64_t entries = 0;
  int64_t skipped_devices = 0;
};

// Reads a (possibly compressed) tar from `fd` and extracts it under the directory `root_dir`,
// which must exist. Decompression is in-process (zlib, zstd); never a helper program.
Result<ApplyStats> ApplyLayer(int fd, oci::Compression compression, const std::string& root_dir);

}  // namespace kiln::snapshot
