// The sink a layer's tar stream is written into: hashes the uncompressed bytes (the diff ID),
// compresses them and writes the result into a BlobWriter.
//
// gzip is made in parallel: the stream is cut into 4 MiB chunks, each compressed on its own
// thread (ISA-L's deflate at levels 0 to 3, libdeflate above) into a complete gzip member; members
// are written in order, and their concatenation is a valid multi-member gzip file (RFC 1952) that
// every OCI tool reads. zstd uses libzstd's own worker threads. Memory stays bounded: at most 2
// chunks per worker in flight.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "content/blob_store.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace kiln::snapshot {

class CompressSink {
 public:
  virtual ~CompressSink() = default;
  virtual Status Write(std::string_view data) = 0;
  // Flushes everything into the blob writer. Call once, before committing the blob.
  virtual Status Finish() = 0;
  virtual oci::Digest DiffId() = 0;  // valid after Finish
  virtual int64_t BytesIn() const = 0;

  // `threads` 0 = one per online CPU. `out` must outlive the sink.
  static std::unique_ptr<CompressSink> New(oci::Compression c, int level, int threads,
                                           content::BlobWriter* out);
};

}  // namespace kiln::snapshot
