// Writing a tar stream (pax format) with libarchive into a CompressSink.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "snapshot/compress.h"

struct archive;
struct archive_entry;

namespace kiln::snapshot {

class TarWriter {
 public:
  // `sink` must outlive the writer.
  static Result<std::unique_ptr<TarWriter>> Open(CompressSink* sink);
  ~TarWriter();
  // Writes the header of `e`, then (for regular files with size > 0) the bytes read from
  // `data_fd`, which must hold exactly archive_entry_size(e) bytes.
  Status Add(archive_entry* e, int data_fd = -1);
  // Writes the end-of-archive blocks. Call once.
  Status Close();

 private:
  TarWriter() = default;
  static long WriteCallback(archive* a, void* self, const void* buf, size_t n);
  archive* a_ = nullptr;
  CompressSink* sink_ = nullptr;
  Status sink_error_;
};

}  // namespace kiln::snapshot
