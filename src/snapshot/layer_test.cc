// Layer streams without root: compression round trips, diff IDs, tar writing and reading.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fs.h"
#include "base/sha256.h"
#include "base/subprocess.h"
#include "content/blob_store.h"
#include "snapshot/compress.h"
#include "snapshot/decompress.h"
#include "snapshot/layer_apply.h"
#include "snapshot/layer_write.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

UniqueFd MemFd(const std::string& data) {
  UniqueFd fd(::memfd_create("t", MFD_CLOEXEC));
  EXPECT_TRUE(WriteAll(fd.get(), data).ok());
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

std::string Decompress(const std::string& blob, oci::Compression c,
                       oci::Digest* diff_id = nullptr) {
  UniqueFd fd = MemFd(blob);
  auto r = DecompressReader::Open(fd.get(), c);
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = (*r)->Read(buf, sizeof buf);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
  }
  if (diff_id) *diff_id = (*r)->DiffId();
  return out;
}

std::string Compress(const std::string& data, oci::Compression c, int threads) {
  auto store = content::NewMemoryBlobStore();
  auto w = store->NewWriter();
  auto sink = CompressSink::New(c, 1, threads, w->get());
  // Feed in odd-sized pieces to cross chunk boundaries.
  for (size_t i = 0; i < data.size(); i += 777777) {
    EXPECT_TRUE(sink->Write(std::string_view(data).substr(i, 777777)).ok());
  }
  EXPECT_TRUE(sink->Finish().ok());
  EXPECT_EQ(sink->DiffId().str(), oci::Digest::FromData(data).str());
  auto d = (*w)->Commit("x");
  return *store->Read(d->digest);
}

std::string Sample(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i * 7919 % 100003) + "\n";
  s.resize(n);
  return s;
}

TEST(CompressTest, ParallelGzipIsValidMultiMemberGzip) {
  std::string data = Sample(9 << 20);  // three 4 MiB chunks
  std::string gz = Compress(data, oci::Compression::kGzip, 2);
  EXPECT_LT(gz.size(), data.size() / 2);
  oci::Digest diff;
  EXPECT_EQ(Decompress(gz, oci::Compression::kGzip, &diff), data);
  EXPECT_EQ(diff, oci::Digest::FromData(data));
  // zlib, as other tools use it, reads every member too.
  z_stream z{};
  inflateInit2(&z, 31);
  std::string out(data.size() + 16, '\0');
  size_t in_pos = 0, out_pos = 0;
  while (in_pos < gz.size()) {
    z.next_in = reinterpret_cast<Bytef*>(gz.data() + in_pos);
    z.avail_in = static_cast<uInt>(gz.size() - in_pos);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    z.avail_out = static_cast<uInt>(out.size() - out_pos);
    int rc = inflate(&z, Z_NO_FLUSH);
    in_pos = gz.size() - z.avail_in;
    out_pos = out.size() - z.avail_out;
    if (rc == Z_STREAM_END)
      inflateReset(&z);
    else
      ASSERT_EQ(rc, Z_OK);
  }
  inflateEnd(&z);
  out.resize(out_pos);
  EXPECT_EQ(out, data);
}

TEST(CompressTest, ZstdAndPlainRoundTrip) {
  std::string data = Sample(5 << 20);
  EXPECT_EQ(Decompress(Compress(data, oci::Compression::kZstd, 2), oci::Compression::kZstd), data);
  EXPECT_EQ(Compress(data, oci::Compression::kNone, 1), data);
}

TEST(CompressTest, CorruptAndTruncatedInputIsDataLoss) {
  std::string gz = Compress(Sample(100000), oci::Compression::kGzip, 1);
  UniqueFd fd = MemFd(gz.substr(0, gz.size() / 2));
  auto r = DecompressReader::Open(fd.get(), oci::Compression::kGzip);
  char buf[1 << 16];
  Status s;
  for (;;) {
    auto n = (*r)->Read(buf, sizeof buf);
    if (!n.ok()) {
      s = n.status();
      break;
    }
    if (*n == 0) break;
  }
  EXPECT_EQ(s.code(), Code::kDataLoss);
}

// Every level: ISA-L's (0 to 3) and libdeflate's above; random bytes make stored blocks.
TEST(CompressTest, GzipEveryLevelAndIncompressibleDataRoundTrip) {
  std::string random(6 << 20, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : random) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  EXPECT_EQ(Decompress(Compress(random, oci::Compression::kGzip, 2), oci::Compression::kGzip),
            random);
  std::string data = Sample(5 << 20);
  for (int level : {0, 1, 2, 3, 6, 9}) {
    auto store = content::NewMemoryBlobStore();
    auto w = store->NewWriter();
    auto sink = CompressSink::New(oci::Compression::kGzip, level, 2, w->get());
    ASSERT_TRUE(sink->Write(data).ok());
    ASSERT_TRUE(sink->Finish().ok());
    auto d = (*w)->Commit("x");
    EXPECT_EQ(Decompress(*store->Read(d->digest), oci::Compression::kGzip), data) << level;
  }
}

// Members made elsewhere: many small ones (boundaries fall anywhere in the reader's buffer),
// with a file name in the header (as gzip(1) writes), and an empty member.
TEST(CompressTest, ForeignMultiMemberGzipReads) {
  std::string data, gz;
  for (int i = 0; i < 300; ++i) {
    std::string part = Sample(static_cast<size_t>(1 + i * 977));
    data += part;
    z_stream z{};
    deflateInit2(&z, i % 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    gz_header h{};
    char name[] = "layer.tar";
    if (i % 2 == 0) h.name = reinterpret_cast<Bytef*>(name);
    deflateSetHeader(&z, &h);
    std::string out(deflateBound(&z, part.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(part.data());
    z.avail_in = static_cast<uInt>(part.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    gz += out;
  }
  oci::Digest diff;
  EXPECT_EQ(Decompress(gz, oci::Compression::kGzip, &diff), data);
  EXPECT_EQ(diff, oci::Digest::FromData(data));
}

Status ReadAll(const std::string& blob, oci::Compression c) {
  UniqueFd fd = MemFd(blob);
  auto r = DecompressReader::Open(fd.get(), c);
  char buf[1 << 16];
  for (;;) {
    auto n = (*r)->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::Ok();
  }
}

// A flipped byte in the data (CRC), in the trailer, garbage after a member, and a corrupt zstd
// frame: each is DataLoss, never a short read that looks complete.
TEST(CompressTest, CorruptGzipAndZstdAreDataLoss) {
  std::string data = Sample(300000);
  std::string gz = Compress(data, oci::Compression::kGzip, 1);
  ASSERT_TRUE(ReadAll(gz, oci::Compression::kGzip).ok());
  std::string flipped = gz;
  flipped[gz.size() / 2] ^= 0x40;
  EXPECT_EQ(ReadAll(flipped, oci::Compression::kGzip).code(), Code::kDataLoss);
  std::string bad_crc = gz;
  bad_crc[gz.size() - 6] ^= 0x01;
  EXPECT_EQ(ReadAll(bad_crc, oci::Compression::kGzip).code(), Code::kDataLoss);
  EXPECT_EQ(ReadAll(gz + "garbage!", oci::Compression::kGzip).code(), Code::kDataLoss);
  EXPECT_EQ(ReadAll("", oci::Compression::kGzip).code(), Code::kDataLoss);
  std::string zst = Compress(data, oci::Compression::kZstd, 1);
  ASSERT_TRUE(ReadAll(zst, oci::Compression::kZstd).ok());
  std::string bad_zst = zst;
  bad_zst[zst.size() / 2] ^= 0x40;
  EXPECT_EQ(ReadAll(bad_zst, oci::Compression::kZstd).code(), Code::kDataLoss);
  EXPECT_EQ(ReadAll(zst.substr(0, zst.size() - 3), oci::Compression::kZstd).code(),
            Code::kDataLoss);
}

TEST(LayerWriteTest, DirectoryRoundTripKeepsTreeAndDiffId) {
  testing::ScratchDir dir;
  std::string src = dir.Sub("src");
  ASSERT_TRUE(MakeDirs(src + "/a/b").ok());
  ASSERT_TRUE(WriteFileAtomic(src + "/a/b/file", "hello", 0640).ok());
  ASSERT_EQ(::symlink("b/file", (src + "/a/link").c_str()), 0);
  ASSERT_EQ(::link((src + "/a/b/file").c_str(), (src + "/a/hard").c_str()), 0);
  auto store = content::NewMemoryBlobStore();
  WriteOptions opts;
  opts.exclude = {"a/skip"};
  ASSERT_TRUE(MakeDirs(src + "/a/skip").ok());
  ASSERT_TRUE(WriteFileAtomic(src + "/a/skip/x", "no").ok());
  auto layer = WriteLayerFromDir(src, opts, *store);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(layer->descriptor.media_type, oci::kMediaTypeLayerGzip);
  std::string out = dir.Sub("out");
  ASSERT_TRUE(MakeDirs(out).ok());
  auto fd = store->Open(layer->descriptor.digest);
  auto stats = ApplyLayer(fd->get(), oci::Compression::kGzip, out);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->diff_id, layer->diff_id);
  EXPECT_EQ(*ReadFile(out + "/a/b/file"), "hello");
  EXPECT_EQ(*ReadFile(out + "/a/link"), "hello");
  struct stat a, b;
  ASSERT_EQ(::stat((out + "/a/b/file").c_str(), &a), 0);
  ASSERT_EQ(::stat((out + "/a/hard").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_mode & 0777, 0640u);
  EXPECT_FALSE(PathExists(out + "/a/skip"));
}

TEST(LayerWriteTest, TarballImportNormalisesAndRejects) {
  testing::ScratchDir dir;
  auto store = content::NewMemoryBlobStore();
  std::string tar = dir.Sub("r.tar");
  auto made = RunProcess({"sh", "-c",
                          "mkdir -p " + dir.Sub("t/x") + " && echo hi > " + dir.Sub("t/x/f") +
                              " && tar -C " + dir.Sub("t") + " -czf " + tar + " ."});
  ASSERT_TRUE(made.ok() && made->exit_code == 0);
  auto layer = WriteLayerFromTarball(tar, {}, *store);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(layer->entries, 2);  // "./" dropped, "x" and "x/f" kept
}

}  // namespace
}  // namespace kiln::snapshot
