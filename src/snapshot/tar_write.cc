#include "snapshot/tar_write.h"

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <unistd.h>

#include "base/fd.h"

namespace kiln::snapshot {

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

Status TarWriter::Add(archive_entry* e, int data_fd) {
  if (archive_write_header(a_, e) != ARCHIVE_OK) {
    if (!sink_error_.ok()) return sink_error_;
    return Internal(std::string("tar header: ") + archive_error_string(a_));
  }
  int64_t left = archive_entry_size(e);
  if (data_fd < 0 || archive_entry_filetype(e) != AE_IFREG) return Status::Ok();
  char buf[1 << 16];
  while (left > 0) {
    ASSIGN_OR_RETURN(size_t n, ReadSome(data_fd, buf, sizeof buf));
    if (n == 0) return DataLoss("file shrank while being packed");
    n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), left));
    if (archive_write_data(a_, buf, n) < 0) {
      if (!sink_error_.ok()) return sink_error_;
      return Internal(std::string("tar data: ") + archive_error_string(a_));
    }
    left -= static_cast<int64_t>(n);
  }
  return Status::Ok();
}

Status TarWriter::Close() {
  if (archive_write_close(a_) != ARCHIVE_OK) {
    if (!sink_error_.ok()) return sink_error_;
    return Internal(std::string("tar close: ") + archive_error_string(a_));
  }
  return Status::Ok();
}

}  // namespace kiln::snapshot
