// PullImage on the fake registry, into a temp store and layer cache.
#include "images/pull.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "images/registry_test_util.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::images {
namespace {

std::string Tar(const std::string& name, const std::string& data) {
  return testing::TarBuilder().File(name, data).Bytes();
}

// `n` bytes gzip cannot shrink (a linear congruential sequence).
std::string Noise(size_t n) {
  std::string out(n, '\0');
  uint64_t x = 88172645463325252ull;
  for (auto& c : out) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(x >> 56);
  }
  return out;
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(snapshot::kDefaultMaxLayerUnpacked); }
  void Open(int64_t max_unpacked) {
    layers_.reset();
    store_.reset();
    auto store = content::ImageStore::Open(dir_.Sub("oci"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto layers = snapshot::LayerCache::Open(dir_.Sub("layers"), &store_->blobs(), max_unpacked);
    ASSERT_TRUE(layers.ok());
    layers_ = std::make_unique<snapshot::LayerCache>(std::move(*layers));
  }
  Result<oci::Descriptor> Pull(const std::string& ref, PullOptions options = {}) {
    auto parsed = oci::Reference::Parse(ref);
    EXPECT_TRUE(parsed.ok());
    return PullImage(client_, *store_, *layers_, *parsed, ref, options);
  }
  int BlobGets(const oci::Digest& d) {
    int n = 0;
    for (const auto& r : fake_.requests()) {
      n += r.method == "GET" && r.url.find("/blobs/" + d.str()) != std::string::npos;
    }
    return n;
  }

  testing::ScratchDir dir_;
  registry::FakeRegistry fake_;
  registry::Client client_{fake_.host(), {&fake_, nullptr, {}, {1, 0, 0, [](double) {}}, {}}};
  std::unique_ptr<content::ImageStore> store_;
  std::unique_ptr<snapshot::LayerCache> layers_;
};

TEST_F(PullTest, GzipAndZstdLayersLandInTheStoreAndTheCache) {
  TestImage img = MakeImage({{Tar("a.txt", "gzip layer"), oci::Compression::kGzip},
                             {Tar("b.txt", "zstd layer"), oci::Compression::kZstd}});
  PutInRegistry(fake_, client_, "team/tool", img, "1.0");
  std::vector<TransferEvent> events;
  PullOptions options;
  options.progress = [&](const TransferEvent& e) { events.push_back(e); };
  auto pulled = Pull("registry.test/team/tool:1.0", options);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->digest, img.manifest.descriptor.digest);
  auto named = store_->Resolve("registry.test/team/tool:1.0");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->digest, img.manifest.descriptor.digest);
  EXPECT_EQ(*ReadFile(layers_->PathFor(img.diff_ids[0]) + "/a.txt"), "gzip layer");
  EXPECT_EQ(*ReadFile(layers_->PathFor(img.diff_ids[1]) + "/b.txt"), "zstd layer");
  int done = 0;
  for (const auto& e : events) done += e.kind == "layer" && e.state == TransferEvent::State::kDone;
  EXPECT_EQ(done, 2);
}

TEST_F(PullTest, ABlobTheStoreHoldsIsNotDownloaded) {
  std::string shared = Tar("shared.txt", "base");
  TestImage first = MakeImage({{shared, oci::Compression::kGzip}});
  TestImage second = MakeImage(
      {{shared, oci::Compression::kGzip}, {Tar("top.txt", "top"), oci::Compression::kGzip}});
  ASSERT_EQ(first.layers[0].descriptor.digest, second.layers[0].descriptor.digest);
  PutInRegistry(fake_, client_, "team/a", first, "1");
  PutInRegistry(fake_, client_, "team/b", second, "1");
  ASSERT_TRUE(Pull("registry.test/team/a:1").ok());
  fake_.ClearRequests();
  auto pulled = Pull("registry.test/team/b:1");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(BlobGets(second.layers[0].descriptor.digest), 0);
  EXPECT_EQ(BlobGets(second.layers[1].descriptor.digest), 1);
}

TEST_F(PullTest, AWrongDigestCommitsNothingAndLeavesNoName) {
  TestImage img = MakeImage({{Tar("a.txt", "good"), oci::Compression::kGzip},
                             {Tar("b.txt", "bad"), oci::Compression::kGzip}});
  PutInRegistry(fake_, client_, "team/tool", img, "1.0");
  const oci::Digest& bad = img.layers[1].descriptor.digest;
  fake_.CorruptBlob(bad);
  auto pulled = Pull("registry.test/team/tool:1.0");
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.status().code(), Code::kDataLoss) << pulled.status().ToString();
  EXPECT_NE(pulled.status().message().find(bad.str()), std::string::npos)
      << pulled.status().message();
  EXPECT_EQ(store_->Resolve("registry.test/team/tool:1.0").status().code(), Code::kNotFound);
  EXPECT_FALSE(store_->blobs().Has(bad));
  EXPECT_FALSE(layers_->Has(img.diff_ids[1]));
  EXPECT_TRUE(store_->blobs().List()->empty());  // the good layer and config went again
}

// The cache is opened with a cap no layer fits: a layer unpacked again would fail.
TEST_F(PullTest, ALayerTheCacheHoldsIsDownloadedButNotUnpackedAgain) {
  TestImage img = MakeImage({{Tar("a.txt", "cached"), oci::Compression::kZstd}});
  PutInRegistry(fake_, client_, "team/tool", img, "1.0");
  Open(1);
  auto refused = Pull("registry.test/team/tool:1.0");
  ASSERT_FALSE(refused.ok());  // the control: with the cap, unpacking fails
  EXPECT_NE(refused.status().message().find("max_layer_unpacked"), std::string::npos)
      << refused.status().message();
  ASSERT_TRUE(MakeDirs(layers_->PathFor(img.diff_ids[0]) + "/etc").ok());
  auto pulled = Pull("registry.test/team/tool:1.0");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(BlobGets(img.layers[0].descriptor.digest), 2);
  EXPECT_TRUE(store_->blobs().Has(img.layers[0].descriptor.digest));
}

// A layer whose unpack fails stops its download: the rest of the blob is not fetched.
TEST_F(PullTest, AFailedUnpackAbortsTheDownload) {
  constexpr size_t kSize = 8 << 20;
  struct Case {
    const char* what;
    std::string tar;
    int64_t cap;
  };
  for (const Case& c : {Case{"not a tar", Noise(kSize), snapshot::kDefaultMaxLayerUnpacked},
                        Case{"over the cap", Tar("big", Noise(kSize)), int64_t{1} << 20}}) {
    Open(c.cap);
    TestImage img = MakeImage({{c.tar, oci::Compression::kGzip}});
    ASSERT_GT(img.layers[0].descriptor.size, int64_t{kSize});
    std::string repo =
        std::string("team/") + (c.cap == snapshot::kDefaultMaxLayerUnpacked ? "a" : "b");
    PutInRegistry(fake_, client_, repo, img, "1");
    int64_t before = fake_.BlobBytesServed();
    auto pulled = Pull("registry.test/" + repo + ":1");
    EXPECT_FALSE(pulled.ok()) << c.what;
    int64_t served = fake_.BlobBytesServed() - before;
    EXPECT_LT(served, img.layers[0].descriptor.size / 2) << c.what << ": " << served;
    EXPECT_EQ(BlobGets(img.layers[0].descriptor.digest), 1) << c.what;
  }
}

// A manifest's sizes bound what is read: a config declared larger than 16 MiB is not fetched.
TEST_F(PullTest, AConfigDeclaredOver16MiBIsRefusedBeforeItIsFetched) {
  TestImage img = MakeImage({{Tar("a.txt", "x"), oci::Compression::kGzip}});
  PutInRegistry(fake_, client_, "team/tool", img, "1.0");
  oci::Manifest m = *oci::ParseManifest(img.manifest.bytes);
  m.config.size = (int64_t{16} << 20) + 1;
  ASSERT_TRUE(
      client_.PutManifest("team/tool", "big", oci::kMediaTypeManifest, oci::SerializeManifest(m))
          .ok());
  fake_.ClearRequests();
  auto pulled = Pull("registry.test/team/tool:big");
  EXPECT_EQ(pulled.status().code(), Code::kInvalidArgument) << pulled.status().ToString();
  EXPECT_NE(pulled.status().message().find("16 MiB"), std::string::npos)
      << pulled.status().message();
  EXPECT_EQ(BlobGets(img.config.descriptor.digest), 0);
}

TEST_F(PullTest, AnIndexGivesTheHostPlatformsManifest) {
  TestImage img = MakeImage({{Tar("a.txt", "x"), oci::Compression::kGzip}});
  TestImage riscv = MakeImage({{Tar("r.txt", "riscv"), oci::Compression::kGzip}});
  PutInRegistry(fake_, client_, "team/tool", img, "mine");
  PutInRegistry(fake_, client_, "team/tool", riscv, "riscv");
  oci::Index index;
  oci::Descriptor other = riscv.manifest.descriptor;
  other.platform = oci::Platform{"riscv64", "linux", ""};
  oci::Descriptor mine = img.manifest.descriptor;
  mine.platform = oci::HostPlatform();
  index.manifests = {other, mine};
  ASSERT_TRUE(
      client_.PutManifest("team/tool", "multi", oci::kMediaTypeIndex, oci::SerializeIndex(index))
          .ok());
  auto pulled = Pull("registry.test/team/tool:multi");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->digest, img.manifest.descriptor.digest);
  auto named = store_->Resolve("registry.test/team/tool:multi");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->annotations.count(kAnnotationPulledDigest), 1u);
  EXPECT_EQ(BlobGets(riscv.layers[0].descriptor.digest), 0);
}

}  // namespace
}  // namespace kiln::images
