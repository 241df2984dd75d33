#include "snapshot/compress.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zstd.h>

#include <deque>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "base/sha256.h"

namespace kiln::snapshot {
namespace {

constexpr size_t kChunk = 4 << 20;

int Workers(int threads) {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

class SinkBase : public CompressSink {
 public:
  explicit SinkBase(content::BlobWriter* out) : out_(out) {}
  oci::Digest DiffId() override { return oci::Digest::Sha256Hex(hash_.HexDigest()); }
  int64_t BytesIn() const override { return bytes_in_; }

 protected:
  void Account(std::string_view data) {
    hash_.Update(data);
    bytes_in_ += static_cast<int64_t>(data.size());
  }
  content::BlobWriter* out_;

 private:
  Sha256 hash_;
  int64_t bytes_in_ = 0;
};

class PlainSink : public SinkBase {
 public:
  using SinkBase::SinkBase;
  Status Write(std::string_view d) override {
    Account(d);
    return out_->Write(d);
  }
  Status Finish() override { return Status::Ok(); }
};

// ISA-L's deflate (levels 0 to 3; level 1 is about 2.7x libdeflate's level 1 at the same ratio).
std::string IsalGzipMember(const std::string& chunk, int level) {
  std::vector<uint8_t> level_buf(level == 0   ? 0
                                 : level == 1 ? ISAL_DEF_LVL1_DEFAULT
                                 : level == 2 ? ISAL_DEF_LVL2_DEFAULT
                                              : ISAL_DEF_LVL3_DEFAULT);
  isal_zstream z;
  isal_deflate_init(&z);
  z.gzip_flag = IGZIP_GZIP;
  z.level = static_cast<uint32_t>(level);
  z.level_buf = level_buf.empty() ? nullptr : level_buf.data();
  z.level_buf_size = static_cast<uint32_t>(level_buf.size());
  z.end_of_stream = 1;
  z.flush = NO_FLUSH;
  z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(chunk.data()));
  z.avail_in = static_cast<uint32_t>(chunk.size());
  // Incompressible data grows by a little (stored blocks); grow the buffer if that is not enough.
  std::string out(chunk.size() + chunk.size() / 16 + 1024, '\0');
  size_t used = 0;
  for (;;) {
    z.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    z.avail_out = static_cast<uint32_t>(out.size() - used);
    if (isal_deflate(&z) != COMP_OK) std::abort();  // only bad parameters fail
    used = out.size() - z.avail_out;
    if (z.internal_state.state == ZSTATE_END) break;
    out.resize(out.size() * 2);
  }
  out.resize(used);
  return out;
}

std::string LibdeflateGzipMember(const std::string& chunk, int level) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(level);
  std::string out(libdeflate_gzip_compress_bound(c, chunk.size()), '\0');
  size_t n = libdeflate_gzip_compress(c, chunk.data(), chunk.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  out.resize(n);
  return out;
}

// One complete gzip member: ISA-L where it has the level (0 to 3), else libdeflate.
std::string GzipMember(std::string chunk, int level) {
  if (level >= 0 && level <= ISAL_DEF_MAX_LEVEL) return IsalGzipMember(chunk, level);
  return LibdeflateGzipMember(chunk, level);
}

class ParallelGzipSink : public SinkBase {
 public:
  ParallelGzipSink(content::BlobWriter* out, int level, int workers)
      : SinkBase(out), level_(level), max_in_flight_(2 * workers) {}
  Status Write(std::string_view d) override {
    Account(d);
    while (!d.empty()) {
      size_t take = std::min(d.size(), kChunk - chunk_.size());
      chunk_.append(d.substr(0, take));
      d.remove_prefix(take);
      if (chunk_.size() == kChunk) RETURN_IF_ERROR(Submit());
    }
    return Status::Ok();
  }
  Status Finish() override {
    if (!chunk_.empty() || (pending_.empty() && !wrote_)) RETURN_IF_ERROR(Submit());
    while (!pending_.empty()) RETURN_IF_ERROR(WriteOldest());
    return Status::Ok();
  }

 private:
  Status Submit() {
    pending_.push_back(std::async(std::launch::async, GzipMember, std::move(chunk_), level_));
    chunk_ = std::string();
    chunk_.reserve(kChunk);
    while (static_cast<int>(pending_.size()) > max_in_flight_) RETURN_IF_ERROR(WriteOldest());
    return Status::Ok();
  }
  Status WriteOldest() {
    std::string member = pending_.front().get();
    pending_.pop_front();
    wrote_ = true;
    return out_->Write(member);
  }
  int level_;
  int max_in_flight_;
  bool wrote_ = false;
  std::string chunk_;
  std::deque<std::future<std::string>> pending_;
};

class ZstdSink : public SinkBase {
 public:
  ZstdSink(content::BlobWriter* out, int level, int workers)
      : SinkBase(out), c_(ZSTD_createCCtx()), buf_(ZSTD_CStreamOutSize(), '\0') {
    ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(c_, ZSTD_c_checksumFlag, 1);  // readers detect corrupt frames
    if (workers > 1) ZSTD_CCtx_setParameter(c_, ZSTD_c_nbWorkers, workers);
  }
  ~ZstdSink() override { ZSTD_freeCCtx(c_); }
  Status Write(std::string_view d) override {
    Account(d);
    return Pump(d, ZSTD_e_continue);
  }
  Status Finish() override { return Pump({}, ZSTD_e_end); }

 private:
  Status Pump(std::string_view d, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{d.data(), d.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
      size_t left = ZSTD_compressStream2(c_, &out, &in, mode);
      if (ZSTD_isError(left)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(left));
      if (out.pos > 0) RETURN_IF_ERROR(out_->Write(std::string_view(buf_.data(), out.pos)));
      bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) return Status::Ok();
    }
  }
  ZSTD_CCtx* c_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<CompressSink> CompressSink::New(oci::Compression c, int level, int threads,
                                                content::BlobWriter* out) {
  switch (c) {
    case oci::Compression::kGzip:
      return std::make_unique<ParallelGzipSink>(out, level, Workers(threads));
    case oci::Compression::kZstd:
      return std::make_unique<ZstdSink>(out, level, Workers(threads));
    case oci::Compression::kNone:
      break;
  }
  return std::make_unique<PlainSink>(out);
}

}  // namespace kiln::snapshot
