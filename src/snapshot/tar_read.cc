#include "snapshot/tar_read.h"

#include <archive.h>
#include <archive_entry.h>

namespace kiln::snapshot {

long TarReader::ReadCallback(archive* a, void* self, const void** buf) {  // NOLINT
  auto* r = static_cast<TarReader*>(self);
  auto n = r->source_->Read(r->buf_.data(), r->buf_.size());
  if (!n.ok()) {
    r->source_error_ = n.status();
    archive_set_error(a, EIO, "%s", n.status().message().c_str());
    return -1;
  }
  if (r->in_header_ && (r->header_bytes_ += static_cast<int64_t>(*n)) > kMaxHeaderBytes) {
    r->source_error_ = InvalidArgument("tar headers of one entry exceed " +
                                       std::to_string(kMaxHeaderBytes >> 20) + " MiB");
    archive_set_error(a, EINVAL, "%s", r->source_error_.message().c_str());
    return -1;
  }
  *buf = r->buf_.data();
  return static_cast<long>(*n);  // NOLINT
}

Result<std::unique_ptr<TarReader>> TarReader::Open(DecompressReader* source) {
  std::unique_ptr<TarReader> r(new TarReader());
  r->source_ = source;
  r->buf_.resize(1 << 17);
  r->a_ = archive_read_new();
  archive_read_support_format_tar(r->a_);
  if (archive_read_open(r->a_, r.get(), nullptr, &TarReader::ReadCallback, nullptr) != ARCHIVE_OK) {
    if (!r->source_error_.ok()) return r->source_error_;
    return InvalidArgument(std::string("not a tar stream: ") + archive_error_string(r->a_));
  }
  return r;
}

TarReader::~TarReader() {
  if (a_ != nullptr) archive_read_free(a_);
}

Result<bool> TarReader::Next() {
  // Skip what is left of the previous entry first, so that only headers count against the cap.
  if (in_entry_ && archive_read_data_skip(a_) != ARCHIVE_OK) {
    if (!source_error_.ok()) return source_error_;
    return InvalidArgument(std::string("tar data: ") + archive_error_string(a_));
  }
  in_entry_ = false;
  in_header_ = true;
  header_bytes_ = 0;
  int rc = archive_read_next_header(a_, &entry_);
  in_header_ = false;
  if (rc == ARCHIVE_EOF) return false;
  if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    in_entry_ = true;
    return true;
  }
  if (!source_error_.ok()) return source_error_;
  return InvalidArgument(std::string("tar: ") + archive_error_string(a_));
}

Result<bool> TarReader::ReadBlock(const char** data, size_t* n, int64_t* offset) {
  const void* buf = nullptr;
  la_int64_t off = 0;
  int rc = archive_read_data_block(a_, &buf, n, &off);
  if (rc == ARCHIVE_EOF) return false;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
    if (!source_error_.ok()) return source_error_;
    return InvalidArgument(std::string("tar data: ") + archive_error_string(a_));
  }
  *data = static_cast<const char*>(buf);
  *offset = off;
  return true;
}

Result<size_t> TarReader::ReadData(char* buf, size_t n) {
  la_ssize_t got = archive_read_data(a_, buf, n);
  if (got < 0) {
    if (!source_error_.ok()) return source_error_;
    return InvalidArgument(std::string("tar data: ") + archive_error_string(a_));
  }
  return static_cast<size_t>(got);
}

Status TarReader::Finish() {
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, source_->Read(buf_.data(), buf_.size()));
    if (n == 0) return Status::Ok();
  }
}

}  // namespace kiln::snapshot
