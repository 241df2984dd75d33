#include "snapshot/decompress.h"

#include <isa-l/igzip_lib.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <vector>

#include "base/fd.h"
#include "base/sha256.h"

namespace kiln::snapshot {
namespace {

constexpr size_t kChunk = 1 << 17;

// Shared: raw input from the fd, and hashing of output.
class ReaderBase : public DecompressReader {
 public:
  explicit ReaderBase(int fd) : fd_(fd), in_(kChunk) {}
  oci::Digest DiffId() override { return oci::Digest::Sha256Hex(hash_.HexDigest()); }
  int64_t BytesOut() const override { return out_bytes_; }

 protected:
  // Refills the input buffer when empty. Returns false at EOF.
  Result<bool> Fill() {
    if (in_pos_ < in_len_) return true;
    ASSIGN_OR_RETURN(size_t n, ReadSome(fd_, in_.data(), in_.size()));
    in_pos_ = 0;
    in_len_ = n;
    return n > 0;
  }
  size_t Emit(const char* buf, size_t n) {
    hash_.Update(buf, n);
    out_bytes_ += static_cast<int64_t>(n);
    return n;
  }
  int fd_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;

 private:
  Sha256 hash_;
  int64_t out_bytes_ = 0;
};

class PlainReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;
  Result<size_t> Read(char* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t got, ReadSome(fd_, buf, n));
    return Emit(buf, got);
  }
};

// ISA-L's inflate (about twice zlib's speed), gzip wrapper and CRC checked per member; members
// follow one another until the input ends.
class GzipReader : public ReaderBase {
 public:
  explicit GzipReader(int fd) : ReaderBase(fd) { Reset(); }
  Result<size_t> Read(char* buf, size_t n) override {
    while (!done_) {
      ASSIGN_OR_RETURN(bool more, Fill());
      if (!more && member_ended_) {
        done_ = true;
        break;
      }
      z_.next_in = reinterpret_cast<uint8_t*>(in_.data() + in_pos_);
      z_.avail_in = static_cast<uint32_t>(in_len_ - in_pos_);
      z_.next_out = reinterpret_cast<uint8_t*>(buf);
      z_.avail_out = static_cast<uint32_t>(n);
      int rc = isal_inflate(&z_);
      if (rc != ISAL_DECOMP_OK && rc != ISAL_END_INPUT && rc != ISAL_OUT_OVERFLOW) {
        return DataLoss("gzip: " + ErrorName(rc));
      }
      size_t consumed = (in_len_ - in_pos_) - z_.avail_in;
      in_pos_ += consumed;
      size_t produced = n - z_.avail_out;
      if (z_.block_state == ISAL_BLOCK_FINISH) {
        member_ended_ = true;
        Reset();  // another gzip member may follow
      } else if (consumed > 0 || produced > 0) {
        member_ended_ = false;
      }
      if (produced > 0) return Emit(buf, produced);
      if (!more && !member_ended_) return DataLoss("gzip stream truncated");
    }
    return size_t{0};
  }

 private:
  void Reset() {
    isal_inflate_init(&z_);
    z_.crc_flag = ISAL_GZIP;
  }
  static std::string ErrorName(int rc) {
    switch (rc) {
      case ISAL_INVALID_WRAPPER:
        return "not in gzip format";
      case ISAL_UNSUPPORTED_METHOD:
        return "unknown compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "incorrect data check";
      default:
        return "corrupt deflate data (" + std::to_string(rc) + ")";
    }
  }
  inflate_state z_{};
  bool done_ = false;
  bool member_ended_ = false;
};

class ZstdReader : public ReaderBase {
 public:
  explicit ZstdReader(int fd) : ReaderBase(fd), d_(ZSTD_createDStream()) { ZSTD_initDStream(d_); }
  ~ZstdReader() override { ZSTD_freeDStream(d_); }
  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        if (last_ != 0) return DataLoss("zstd stream truncated");
        return size_t{0};
      }
      ZSTD_inBuffer in{in_.data() + in_pos_, in_len_ - in_pos_, 0};
      ZSTD_outBuffer out{buf, n, 0};
      last_ = ZSTD_decompressStream(d_, &out, &in);
      if (ZSTD_isError(last_)) return DataLoss(std::string("zstd: ") + ZSTD_getErrorName(last_));
      in_pos_ += in.pos;
      if (out.pos > 0) return Emit(buf, out.pos);
    }
  }

 private:
  ZSTD_DStream* d_;
  size_t last_ = 0;
};

}  // namespace

Result<oci::Compression> DetectCompression(int fd) {
  unsigned char magic[4] = {0, 0, 0, 0};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  if (n < 0) return ErrnoStatus("read", errno);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return oci::Compression::kGzip;
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return oci::Compression::kZstd;
  }
  return oci::Compression::kNone;
}

Result<std::unique_ptr<DecompressReader>> DecompressReader::Open(int fd, oci::Compression c) {
  switch (c) {
    case oci::Compression::kGzip:
      return std::unique_ptr<DecompressReader>(new GzipReader(fd));
    case oci::Compression::kZstd:
      return std::unique_ptr<DecompressReader>(new ZstdReader(fd));
    case oci::Compression::kNone:
      break;
  }
  return std::unique_ptr<DecompressReader>(new PlainReader(fd));
}

}  // namespace kiln::snapshot
