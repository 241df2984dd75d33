// Issue 7, items 6 and 7, as attacks on the data plane: names that are not ASCII, sparse
// files, a layer that writes more than it weighs, devices and whiteouts through capture and a
// fresh unpack, and a tar whose headers never end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>

#include "base/clock.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "content/blob_store.h"
#include "snapshot/layer_apply.h"
#include "snapshot/layer_cache.h"
#include "snapshot/layer_write.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

const std::string kUtf8 = "caf\xc3\xa9.txt";  // café.txt
const std::string kLatin1 = "caf\xe9";        // invalid UTF-8

// path → type, mode, owner, size, device, link target, opaque flag and content hash: what a
// sandbox would see of the tree (times are left out: whiteouts get the time they are made).
void Describe(const std::string& root, const std::string& rel,
              std::map<std::string, std::string>& out) {
  std::string path = rel.empty() ? root : root + "/" + rel;
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
  std::string d = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + ":" +
                  std::to_string(st.st_gid);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    d += " dev " + std::to_string(major(st.st_rdev)) + "," + std::to_string(minor(st.st_rdev));
  }
  if (S_ISREG(st.st_mode))
    d += " " + std::to_string(st.st_size) + " " + Sha256::Hex(ReadFile(path).value());
  if (S_ISLNK(st.st_mode)) {
    char t[4096];
    ssize_t n = ::readlink(path.c_str(), t, sizeof t);
    d += " -> " + std::string(t, n > 0 ? static_cast<size_t>(n) : 0);
  }
  char v[8];
  if (S_ISDIR(st.st_mode) && ::lgetxattr(path.c_str(), "trusted.overlay.opaque", v, sizeof v) == 1)
    d += " opaque";
  out[rel] = d;
  if (S_ISDIR(st.st_mode)) {
    for (const auto& name : ListDir(path).value())
      Describe(root, rel.empty() ? name : rel + "/" + name, out);
  }
}

std::map<std::string, std::string> Tree(const std::string& root) {
  std::map<std::string, std::string> out;
  Describe(root, "", out);
  out.erase("");
  return out;
}

int64_t DiskBytes(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<int64_t>(st.st_blocks) * 512;
}

class SecurityTar : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "devices, owners and overlay xattrs need root";
    src_ = dir_.Sub("src");
    out_ = dir_.Sub("out");
    ASSERT_TRUE(MakeDirs(src_).ok());
    ASSERT_TRUE(MakeDirs(out_).ok());
    auto store = content::DiskBlobStore::Open(dir_.Sub("blobs"));
    ASSERT_TRUE(store.ok());
    blobs_ = std::move(*store);
  }
  // src_ → layer (as an upper dir, or a rootfs) → unpacked into out_.
  Result<LayerInfo> RoundTrip(SourceKind kind, int64_t max_unpacked = kDefaultMaxLayerUnpacked) {
    WriteOptions w;
    w.kind = kind;
    ASSIGN_OR_RETURN(LayerInfo layer, WriteLayerFromDir(src_, w, *blobs_));
    ASSIGN_OR_RETURN(UniqueFd fd, blobs_->Open(layer.descriptor.digest));
    ApplyOptions a;
    a.max_unpacked_bytes = max_unpacked;
    RETURN_IF_ERROR(ApplyLayer(fd.get(), oci::Compression::kGzip, out_, a).status());
    return layer;
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string src_, out_;
  std::unique_ptr<content::BlobStore> blobs_;
};

TEST_F(SecurityTar, NamesAreBytesThroughCaptureAndUnpack) {
  ASSERT_TRUE(WriteFileAtomic(src_ + "/" + kUtf8, "utf-8\n").ok());
  ASSERT_TRUE(WriteFileAtomic(src_ + "/" + kLatin1, "latin-1\n").ok());
  ASSERT_TRUE(MakeDirs(src_ + "/d\xc3\xa9j\xe0").ok());
  ASSERT_EQ(::symlink(("../" + kLatin1).c_str(), (src_ + "/d\xc3\xa9j\xe0/lien-\xe9").c_str()), 0);
  ASSERT_EQ(::link((src_ + "/" + kUtf8).c_str(), (src_ + "/d\xc3\xa9j\xe0/" + kUtf8).c_str()), 0);
  auto layer = RoundTrip(SourceKind::kOverlayUpper);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(Tree(out_), Tree(src_));
}

TEST_F(SecurityTar, SparseFileStaysSparseAndIsFast) {
  std::string big = src_ + "/disk.img";
  {
    UniqueFd fd = Open(big, O_WRONLY | O_CREAT, 0644).value();
    ASSERT_EQ(::ftruncate(fd.get(), int64_t{10} << 30), 0);
    ASSERT_EQ(::pwrite(fd.get(), "middle", 6, int64_t{5} << 30), 6);
    ASSERT_EQ(::pwrite(fd.get(), "end", 3, (int64_t{10} << 30) - 3), 3);
  }
  ASSERT_TRUE(WriteFileAtomic(src_ + "/holes-only", "").ok());
  ASSERT_EQ(::truncate((src_ + "/holes-only").c_str(), 1 << 30), 0);
  Stopwatch watch;
  auto layer = RoundTrip(SourceKind::kOverlayUpper);
  double seconds = watch.Seconds();
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_LT(layer->uncompressed_bytes, 1 << 20) << "the holes were written into the tar";
  struct stat st {};
  ASSERT_EQ(::stat((out_ + "/disk.img").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, int64_t{10} << 30);
  EXPECT_LT(DiskBytes(out_ + "/disk.img"), 1 << 20) << "the holes were written to disk";
  EXPECT_LT(DiskBytes(out_ + "/holes-only"), 64 << 10);
  ASSERT_EQ(::stat((out_ + "/holes-only").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 1 << 30);
  UniqueFd fd = Open(out_ + "/disk.img", O_RDONLY).value();
  char buf[8] = {};
  ASSERT_EQ(::pread(fd.get(), buf, 6, int64_t{5} << 30), 6);
  EXPECT_EQ(std::string(buf, 6), "middle");
  ASSERT_EQ(::pread(fd.get(), buf, 3, (int64_t{10} << 30) - 3), 3);
  EXPECT_EQ(std::string(buf, 3), "end");
  std::printf("10 GiB sparse file: layer %lld bytes of tar, captured and unpacked in %.2f s\n",
              static_cast<long long>(layer->uncompressed_bytes), seconds);
}

// The producer's cache is the upper dir itself; a fresh unpack of its layer must be the same
// tree: whiteouts, opaque dirs, devices, fifos, owners, modes.
TEST_F(SecurityTar, DevicesAndWhiteoutsRoundTripLikeTheUpperDir) {
  ASSERT_EQ(::mknod((src_ + "/deleted").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  ASSERT_TRUE(MakeDirs(src_ + "/opaque/kept").ok());
  ASSERT_EQ(::setxattr((src_ + "/opaque").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  ASSERT_EQ(::mknod((src_ + "/opaque/gone").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  ASSERT_EQ(::mknod((src_ + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod((src_ + "/loop9").c_str(), S_IFBLK | 0660, makedev(7, 9)), 0);
  ASSERT_EQ(::chown((src_ + "/loop9").c_str(), 0, 6), 0);
  ASSERT_EQ(::mkfifo((src_ + "/fifo").c_str(), 0620), 0);
  ASSERT_EQ(::chmod((src_ + "/null").c_str(), 0666), 0);  // past the umask
  ASSERT_EQ(::chmod((src_ + "/fifo").c_str(), 0620), 0);
  auto layer = RoundTrip(SourceKind::kOverlayUpper);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(Tree(out_), Tree(src_));
}

// A file a job names `.wh.x` would delete `x` from every later job's tree (or, `.wh..wh.x`,
// make the image impossible to unpack) while the producer's cache keeps it as a file.
TEST_F(SecurityTar, WhiteoutNamedFilesAreRefusedAtCapture) {
  for (const std::string name : {".wh.passwd", ".wh..wh.x", ".wh..wh..opq"}) {
    ASSERT_TRUE(RemoveTree(src_).ok());
    ASSERT_TRUE(MakeDirs(src_ + "/etc").ok());
    ASSERT_TRUE(WriteFileAtomic(src_ + "/etc/" + name, "").ok());
    auto layer = RoundTrip(SourceKind::kOverlayUpper);
    ASSERT_FALSE(layer.ok()) << name << " was stored as a whiteout";
    EXPECT_NE(layer.status().message().find("etc/" + name), std::string::npos)
        << layer.status().ToString();
    EXPECT_NE(layer.status().message().find("whiteout"), std::string::npos)
        << layer.status().ToString();
  }
}

// A small layer that writes much more than it weighs (zeros compress 1000:1) is stopped at the
// cap; holes are free, so a sparse file far larger than the cap still unpacks.
TEST_F(SecurityTar, UnpackedBytesAreCappedHolesAreFree) {
  ASSERT_TRUE(WriteFileAtomic(src_ + "/zeros", std::string(8 << 20, '\0')).ok());
  auto bomb = RoundTrip(SourceKind::kRootfs, 4 << 20);
  ASSERT_FALSE(bomb.ok()) << "an 8 MiB layer unpacked under a 4 MiB cap";
  EXPECT_NE(bomb.status().message().find("unpacks to more than 4 MiB (max_layer_unpacked)"),
            std::string::npos)
      << bomb.status().ToString();

  ASSERT_TRUE(RemoveTree(src_).ok() && RemoveTree(out_).ok() && MakeDirs(src_).ok() &&
              MakeDirs(out_).ok());
  ASSERT_TRUE(WriteFileAtomic(src_ + "/sparse", "data").ok());
  ASSERT_EQ(::truncate((src_ + "/sparse").c_str(), 200 << 20), 0);
  auto sparse = RoundTrip(SourceKind::kRootfs, 4 << 20);
  ASSERT_TRUE(sparse.ok()) << sparse.status().ToString();
  EXPECT_LT(DiskBytes(out_ + "/sparse"), 1 << 20);
}

// Through the layer cache: a clear error naming the layer, and no directory left behind.
TEST_F(SecurityTar, LayerCacheRefusesALayerOverTheCapAndKeepsNothing) {
  ASSERT_TRUE(WriteFileAtomic(src_ + "/zeros", std::string(8 << 20, '\0')).ok());
  WriteOptions w;
  auto layer = WriteLayerFromDir(src_, w, *blobs_);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  std::string root = dir_.Sub("layers");
  auto cache = LayerCache::Open(root, blobs_.get(), 4 << 20);
  ASSERT_TRUE(cache.ok());
  oci::Manifest m;
  m.layers.push_back(layer->descriptor);
  oci::ImageConfig c;
  c.diff_ids.push_back(layer->diff_id);
  auto dirs = cache->Prepare(m, c);
  ASSERT_FALSE(dirs.ok());
  EXPECT_EQ(dirs.status().message(), "layer " + layer->descriptor.digest.str() +
                                         " unpacks to more than 4 MiB (max_layer_unpacked)");
  EXPECT_TRUE(ListDir(root).value().empty()) << "a half-unpacked layer was left in the cache";
  EXPECT_FALSE(cache->Has(layer->diff_id));
}

// One GNU sparse 1.0 entry whose map (read and held in memory by libarchive before the entry
// is returned) is 24 MiB: about two million map records from a layer of a few hundred kB.
TEST_F(SecurityTar, EndlessSparseMapIsRejected) {
  std::string map = "2000000\n";
  for (int i = 0; i < 2000000; ++i) map += std::to_string(i * 2) + "\n1\n";
  map.resize((map.size() + 511) / 512 * 512, '\0');
  auto octal = [](char* field, size_t width, int64_t v) {
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                  static_cast<unsigned long long>(v));
  };
  auto header = [&](const std::string& name, char type, int64_t size) {
    std::string h(512, '\0');
    name.copy(h.data(), 99);
    octal(&h[100], 8, 0644);
    octal(&h[108], 8, 0);
    octal(&h[116], 8, 0);
    octal(&h[124], 12, size);
    octal(&h[136], 12, 1700000000);
    h[156] = type;
    std::string(
        "ustar\0"
        "00",
        8)
        .copy(&h[257], 8);
    std::fill(h.begin() + 148, h.begin() + 156, ' ');
    unsigned sum = 0;
    for (unsigned char ch : h) sum += ch;
    std::snprintf(&h[148], 8, "%06o", sum);
    return h;
  };
  auto record = [](const std::string& kv) {
    std::string r = " " + kv + "\n";
    size_t len = r.size() + 1;
    while (std::to_string(len).size() + r.size() != len) ++len;
    return std::to_string(len) + r;
  };
  std::string pax = record("GNU.sparse.major=1") + record("GNU.sparse.minor=0") +
                    record("GNU.sparse.name=big") + record("GNU.sparse.realsize=4000000");
  std::string tar = header("PaxHeaders/big", 'x', static_cast<int64_t>(pax.size())) + pax;
  tar.resize((tar.size() + 511) / 512 * 512, '\0');
  tar += header("GNUSparseFile.0/big", '0', static_cast<int64_t>(map.size()) + 2000000 * 512);
  tar += map;
  tar += std::string(1024, '\0');  // the data is never reached
  std::string path = dir_.Sub("hostile.tar");
  ASSERT_TRUE(WriteFileAtomic(path, tar).ok());
  UniqueFd fd = Open(path, O_RDONLY).value();
  auto r = ApplyLayer(fd.get(), oci::Compression::kNone, out_);
  ASSERT_FALSE(r.ok()) << "a 24 MiB sparse map was read into memory";
  EXPECT_NE(r.status().message().find("tar headers of one entry exceed 16 MiB"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace kiln::snapshot
