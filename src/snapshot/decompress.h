// A byte stream read from a (possibly compressed) layer blob: decompressed in-process (ISA-L's
// inflate for gzip, including multi-member gzip; libzstd for zstd) and hashed as it goes, so the
// layer's diff ID is known when the stream ends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace kiln::snapshot {

// Guesses the compression of the file at `fd` from its first bytes (gzip 1f 8b, zstd
// 28 b5 2f fd, else none), without moving the file offset.
Result<oci::Compression> DetectCompression(int fd);

class DecompressReader {
 public:
  virtual ~DecompressReader() = default;
  // Reads up to `n` uncompressed bytes; 0 at the end. Corrupt input is DataLoss.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // sha256 of every uncompressed byte read; valid once Read returned 0.
  virtual oci::Digest DiffId() = 0;
  virtual int64_t BytesOut() const = 0;

  // Reads from `fd` (not owned; must outlive the reader).
  static Result<std::unique_ptr<DecompressReader>> Open(int fd, oci::Compression compression);
};

}  // namespace kiln::snapshot
