// Writing a tar stream (pax format) with libarchive into a CompressSink.
//
// Names are bytes: kiln never sets a locale, so libarchive cannot translate a non-ASCII name
// (UTF-8 `café.txt` or Latin-1 `caf\xe9`) to UTF-8; it then writes the name's bytes unchanged
// with a `hdrcharset=BINARY` pax record, and kiln accepts that. ASCII names get no pax record.
// Holes stay holes: a regular file with holes (SEEK_HOLE) is written as a sparse entry (GNU
// sparse 1.0 in pax, which GNU tar, libarchive and Go's archive/tar read), holding only its data.
#pragma once

#include <functional>
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
  // `data_fd`, which must hold exactly archive_entry_size(e) bytes. Holes of `data_fd` of 64 KiB
  // or more become a sparse entry (replacing any sparse map `e` had), unless the file has more
  // than 65,536 data extents (then it is written whole).
  Status Add(archive_entry* e, int data_fd = -1);
  // Writes the header of `e`, then its data from `read` (0 at the end), streaming: nothing is
  // staged. When `e` carries a sparse map (as a TarReader entry may), `read` yields the file's
  // logical content, holes as zeros, which are not stored; a trailing hole may be left out.
  // Otherwise `read` must yield exactly archive_entry_size(e) bytes.
  Status AddStream(archive_entry* e, const std::function<Result<size_t>(char*, size_t)>& read);
  // Writes the end-of-archive blocks. Call once.
  Status Close();

 private:
  TarWriter() = default;
  static long WriteCallback(archive* a, void* self, const void* buf, size_t n);
  Status WriteHeader(archive_entry* e);
  Status WriteData(const char* buf, size_t n);
  Status WriteZeros(int64_t n);
  archive* a_ = nullptr;
  CompressSink* sink_ = nullptr;
  Status sink_error_;
};

}  // namespace kiln::snapshot
