// Safe extraction of a layer tar stream into a directory.
//
// Every path is resolved inside the root (openat2 RESOLVE_IN_ROOT); symlinks in the tree are
// never followed out of it; modes, owners, times and xattrs are set through fds. Rejected, with
// InvalidArgument naming the entry: `..` components, absolute or escaping hardlinks, names with
// the reserved `.wh..` prefix other than the opaque marker, duplicate entries, paths or link
// targets over 4096 bytes, pax headers over 1 MiB, headers of one entry over 16 MiB (TarReader).
// Device nodes are created as they are when running as root (so a layer unpacks to the same
// tree as the upper dir it was captured from; the layer cache and sandboxes dirs are 0700, and
// a sandbox's device cgroup allows only its standard devices), skipped and counted otherwise.
// setuid/setgid bits are kept on files (the layer cache root is 0700, and sandboxes run with
// no_new_privileges).
//
// Names are bytes (not translated, whatever the locale). Sparse entries unpack with holes. The
// data bytes a layer writes (holes are free) are capped at ApplyOptions::max_unpacked_bytes.
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
  oci::Digest diff_id;  // sha256 of the uncompressed tar stream
  int64_t uncompressed_bytes = 0;
  int64_t entries = 0;
  int64_t skipped_devices = 0;
};

// Config `max_layer_unpacked`: what one layer may write to disk, holes not counted. Besides file
// data, every entry is charged what it costs the filesystem even when empty: 4 KiB per
// directory, 512 bytes per other entry (symlink, hard link, device, whiteout…), plus its
// xattrs' names and values; so a small layer of millions of empty dirs or links is refused too.
inline constexpr int64_t kDefaultMaxLayerUnpacked = int64_t{64} << 30;
inline constexpr int64_t kDirEntryCost = 4096;
inline constexpr int64_t kOtherEntryCost = 512;
// At most this many entries in one layer, whatever the budget (inodes, and the memory kiln
// uses per entry to refuse duplicates).
inline constexpr int64_t kMaxLayerEntries = 10'000'000;

struct ApplyOptions {
  int64_t max_unpacked_bytes = kDefaultMaxLayerUnpacked;
  std::string name = "layer";  // for the cap's error: "layer sha256:…"
};

// Reads a (possibly compressed) tar from `fd` and extracts it under the directory `root_dir`,
// which must exist. Decompression is in-process (zlib, zstd); never a helper program. A layer
// writing more data (with the entry costs above) than options.max_unpacked_bytes fails with
// InvalidArgument "<name> unpacks to more than 64 GiB (max_layer_unpacked)", and one with more
// than kMaxLayerEntries entries with "<name> has more than 10000000 entries", leaving what it
// wrote (the caller discards the directory).
Result<ApplyStats> ApplyLayer(int fd, oci::Compression compression, const std::string& root_dir,
                              const ApplyOptions& options = {});
// "64 GiB", "300 MiB", "12345 bytes".
std::string FormatBinaryBytes(int64_t bytes);

}  // namespace kiln::snapshot
