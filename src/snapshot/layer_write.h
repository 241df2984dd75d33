// Writing layers: a directory tree (a rootfs, or a sandbox's overlay upper dir) or a rootfs
// tarball becomes a compressed tar blob in a BlobStore.
//
// Entries are written in sorted order with pax headers (long names, xattrs, sub-second times),
// owners as numeric ids, hardlinks detected by inode. In kOverlayUpper mode overlayfs whiteouts
// become OCI whiteouts (0/0 char device NAME → `.wh.NAME`; a directory with xattr
// trusted.overlay.opaque=y → its entries plus `.wh..wh..opq`), and overlay-private xattrs
// (trusted.overlay.*) are dropped. Other device nodes are stored as they are.
//
// Names are bytes, stored unchanged (UTF-8 or not); a name starting with `.wh.` is refused
// (InvalidArgument naming it): in a layer it would mean a whiteout. Files with holes become
// sparse entries (TarWriter), and a tarball's sparse entries stay sparse. Memory stays flat
// whatever the size of a file.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "base/status.h"
#include "content/blob_store.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace kiln::snapshot {

enum class SourceKind { kRootfs, kOverlayUpper };

struct WriteOptions {
  SourceKind kind = SourceKind::kRootfs;
  oci::Compression compression = oci::Compression::kGzip;
  int compression_level = 1;  // fast: layers are written on the critical path of a job
  // Paths relative to the root ("github/workspace") that are left out with everything below them
  // (bind-mount targets of a sandbox).
  std::set<std::string> exclude;
  // Progress: bytes of uncompressed tar produced so far.
  std::function<void(int64_t)> on_progress;
};

struct LayerInfo {
  oci::Descriptor descriptor;  // the compressed blob, committed to the store
  oci::Digest diff_id;         // sha256 of the uncompressed tar
  int64_t uncompressed_bytes = 0;
  int64_t entries = 0;
};

// Tars `dir` into a new blob in `store`.
Result<LayerInfo> WriteLayerFromDir(const std::string& dir, const WriteOptions& options,
                                    content::BlobStore& store);
// Re-writes a rootfs tarball (plain, gzip or zstd, detected from its bytes) as a clean layer:
// entries are validated as ApplyLayer validates them ("./" prefixes normalised, `..` and
// absolute hardlinks rejected), then streamed into the new layer (nothing is staged).
Result<LayerInfo> WriteLayerFromTarball(const std::string& tar_path, const WriteOptions& options,
                                        content::BlobStore& store);

}  // namespace kiln::snapshot
