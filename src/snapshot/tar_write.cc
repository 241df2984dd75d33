#include "snapshot/tar_write.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "base/fd.h"

namespace kiln::snapshot {
namespace {

constexpr int64_t kMinHole = 64 << 10;
constexpr size_t kMaxExtents = 65536;

struct Extent {
  int64_t offset, length;
};

// The data extents of the first `size` bytes of `fd` (SEEK_DATA/SEEK_HOLE), ending with one at
// `size` (of length 0); nullopt when the file has no hole worth recording, the filesystem cannot
// tell, or there are too many extents.
std::optional<std::vector<Extent>> SparseExtents(int fd, int64_t size) {
  std::vector<Extent> out;
  int64_t data_bytes = 0;
  for (off_t pos = 0; pos < size;) {
    off_t data = ::lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // the rest is a hole
      return std::nullopt;
    }
    if (data >= size) break;
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return std::nullopt;
    hole = std::min<off_t>(hole, size);
    out.push_back({data, hole - data});
    data_bytes += hole - data;
    if (out.size() > kMaxExtents) return std::nullopt;
    pos = hole;
  }
  if (size - data_bytes < kMinHole) return std::nullopt;
  if (out.empty() || out.back().offset + out.back().length < size) out.push_back({size, 0});
  return out;
}

}  // namespace

long TarWriter::WriteCallback(archive* a, void* self, const void* buf, size_t n) {  // NOLINT
  auto* w = static_cast<TarWriter*>(self);
  Status s = w->sink_->Write(std::string_view(static_cast<const char*>(buf), n));
  if (!s.ok()) {
    w->sink_error_ = s;
    archive_set_error(a, EIO, "%s", s.message().c_str());
    return -1;
  }
  return static_cast<long>(n);  // NOLINT
}

Result<std::unique_ptr<TarWriter>> TarWriter::Open(CompressSink* sink) {
  std::unique_ptr<TarWriter> w(new TarWriter());
  w->sink_ = sink;
  w->a_ = archive_write_new();
  archive_write_set_format_pax_restricted(w->a_);
  archive_write_set_bytes_per_block(w->a_, 1 << 16);
  archive_write_set_bytes_in_last_block(w->a_, 1);
  auto cb = reinterpret_cast<archive_write_callback*>(&TarWriter::WriteCallback);
  if (archive_write_open(w->a_, w.get(), nullptr, cb, nullptr) != ARCHIVE_OK) {
    return Internal(std::string("tar writer: ") + archive_error_string(w->a_));
  }
  return w;
}

TarWriter::~TarWriter() {
  if (a_ != nullptr) archive_write_free(a_);
}

Status TarWriter::WriteHeader(archive_entry* e) {
  int rc = archive_write_header(a_, e);
  if (rc == ARCHIVE_OK) return Status::Ok();
  // A name that is not ASCII cannot be translated in the C locale: libarchive has written its
  // bytes unchanged (hdrcharset=BINARY), which is what kiln wants.
  const char* err = archive_error_string(a_);
  if (rc == ARCHIVE_WARN && err != nullptr && std::strncmp(err, "Can't translate", 15) == 0) {
    return Status::Ok();
  }
  if (!sink_error_.ok()) return sink_error_;
  return Internal(std::string("tar header: ") + (err ? err : "?"));
}

Status TarWriter::WriteData(const char* buf, size_t n) {
  if (archive_write_data(a_, buf, n) < 0) {
    if (!sink_error_.ok()) return sink_error_;
    return Internal(std::string("tar data: ") + archive_error_string(a_));
  }
  return Status::Ok();
}

// Zeros for a hole of a sparse entry: libarchive skips them, nothing is copied or stored.
Status TarWriter::WriteZeros(int64_t n) {
  static const std::vector<char> zeros(1 << 20);
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<int64_t>(n, static_cast<int64_t>(zeros.size())));
    RETURN_IF_ERROR(WriteData(zeros.data(), chunk));
    n -= static_cast<int64_t>(chunk);
  }
  return Status::Ok();
}

Status TarWriter::Add(archive_entry* e, int data_fd) {
  int64_t size = archive_entry_size(e);
  bool has_data = data_fd >= 0 && archive_entry_filetype(e) == AE_IFREG && size > 0;
  std::vector<Extent> extents;
  if (has_data) {
    archive_entry_sparse_clear(e);
    if (auto sparse = SparseExtents(data_fd, size)) {
      extents = std::move(*sparse);
      for (const auto& x : extents) archive_entry_sparse_add_entry(e, x.offset, x.length);
    } else {
      extents.push_back({0, size});
    }
  }
  RETURN_IF_ERROR(WriteHeader(e));
  if (!has_data) return Status::Ok();
  char buf[1 << 16];
  int64_t pos = 0;
  for (const auto& x : extents) {
    RETURN_IF_ERROR(WriteZeros(x.offset - pos));
    for (pos = x.offset; pos < x.offset + x.length;) {
      size_t want = static_cast<size_t>(std::min<int64_t>(sizeof buf, x.offset + x.length - pos));
      ssize_t n = ::pread(data_fd, buf, want, pos);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read", errno);
      if (n == 0) return DataLoss("file shrank while being packed");
      RETURN_IF_ERROR(WriteData(buf, static_cast<size_t>(n)));
      pos += n;
    }
  }
  return WriteZeros(size - pos);
}

Status TarWriter::AddStream(archive_entry* e,
                            const std::function<Result<size_t>(char*, size_t)>& read) {
  RETURN_IF_ERROR(WriteHeader(e));
  if (archive_entry_filetype(e) != AE_IFREG) return Status::Ok();
  int64_t size = archive_entry_size(e), written = 0;
  char buf[1 << 16];
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, read(buf, sizeof buf));
    if (n == 0) break;
    if (written + static_cast<int64_t>(n) > size)
      return DataLoss("entry data longer than its header says");
    RETURN_IF_ERROR(WriteData(buf, n));
    written += static_cast<int64_t>(n);
  }
  if (written == size) return Status::Ok();
  if (archive_entry_sparse_count(e) == 0)
    return DataLoss("entry data shorter than its header says");
  return WriteZeros(size - written);
}

Status TarWriter::Close() {
  if (archive_write_close(a_) != ARCHIVE_OK) {
    if (!sink_error_.ok()) return sink_error_;
    return Internal(std::string("tar close: ") + archive_error_string(a_));
  }
  return Status::Ok();
}

}  // namespace kiln::snapshot
