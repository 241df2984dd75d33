// Reading tar entries from a DecompressReader with libarchive (tar format only: no libarchive
// filters, so nothing but our in-process decompressors ever touches the bytes).
//
// Names are bytes: archive_entry_pathname() is the name as stored (a pax path that is not
// ASCII cannot be translated in the C locale, so libarchive keeps its bytes).
// Bounded memory: libarchive caps each pax/long-name header at 1 MiB, but not a chain of them
// nor a GNU sparse map (old-style extension blocks, or the 1.0 map in the data), which it
// holds in memory in full; the headers of one entry (everything read from the end of the
// previous entry's data to the start of this one's) are therefore capped at kMaxHeaderBytes.
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
  // Reads the current entry's data; 0 at its end. Holes of a sparse entry read as zeros.
  Result<size_t> ReadData(char* buf, size_t n);
  // Reads the current entry's next data block, which belongs at `*offset` in the file (the gaps
  // between blocks are holes); false at the entry's end.
  Result<bool> ReadBlock(const char** data, size_t* n, int64_t* offset);
  // Reads whatever follows the end-of-archive marker, so the source's diff ID covers the whole
  // stream. Call after Next() returned false.
  Status Finish();

 private:
  static constexpr int64_t kMaxHeaderBytes = 16 << 20;

  TarReader() = default;
  static long ReadCallback(archive* a, void* self, const void** buf);  // NOLINT(runtime/int)
  archive* a_ = nullptr;
  archive_entry* entry_ = nullptr;
  DecompressReader* source_ = nullptr;
  std::string buf_;
  Status source_error_;
  bool in_entry_ = false;   // a header was read: its data may be skipped
  bool in_header_ = false;  // inside archive_read_next_header: bytes count against the cap
  int64_t header_bytes_ = 0;
};

}  // namespace kiln::snapshot
