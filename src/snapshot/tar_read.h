// Reading tar entries from a DecompressReader with libarchive (tar format only: no libarchive
// filters, so nothing but our in-process decompressors ever touches the bytes).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "snapshot/decompress.h"

struct archive;
struct archive_entry;

namespace kiln::snapshot {

class TarReader {
 public:
  // `source` must outlive the reader.
  static Result<std::unique_ptr<TarReader>> Open(DecompressReader* source);
  ~TarReader();
  // Advances to the next entry; false at the end of the archive.
  Result<bool> Next();
  archive_entry* entry() const { return entry_; }
  // Reads the current entry's data; 0 at its end.
  Result<size_t> ReadData(char* buf, size_t n);
  // Reads whatever follows the end-of-archive marker, so the source's diff ID covers the whole
  // stream. Call after Next() returned false.
  Status Finish();

 private:
  TarReader() = default;
  static long ReadCallback(archive* a, void* self, const void** buf);  // NOLINT(runtime/int)
  archive* a_ = nullptr;
  archive_entry* entry_ = nullptr;
  DecompressReader* source_ = nullptr;
  std::string buf_;
  Status source_error_;
};

}  // namespace kiln::snapshot
