// PushImage on the fake registry: skip, mount, manifest last, and a push/pull round trip.
#include "images/push.h"

#include <gtest/gtest.h>

#include "images/pull.h"
#include "images/registry_test_util.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::images {
namespace {

std::string Tar(const std::string& name, const std::string& data) {
  return testing::TarBuilder().File(name, data).Bytes();
}

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = content::ImageStore::Open(dir_.Sub("oci"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto origins = BlobOrigins::Open(dir_.Sub("origins"));
    ASSERT_TRUE(origins.ok());
    origins_ = std::make_unique<BlobOrigins>(std::move(*origins));
    img_ = MakeImage({{Tar("a.txt", "one"), oci::Compression::kGzip},
                      {Tar("b.txt", "two"), oci::Compression::kZstd}});
    PutInStore(*store_, img_, "tool:1.0");
  }
  Result<oci::Descriptor> Push(const std::string& dest, PushOptions options = {}) {
    auto loaded = store_->Load("tool:1.0");
    EXPECT_TRUE(loaded.ok());
    options.origins = origins_.get();
    return PushImage(client_, *store_, *loaded, *oci::Reference::Parse(dest), options);
  }
  // Requests that finished an upload of `d` (PUT or POST ?digest=, the digest URL-encoded).
  int Uploads(const oci::Digest& d) {
    int n = 0;
    for (const auto& r : fake_.requests()) {
      bool upload = r.method == "PUT" || r.method == "PATCH" ||
                    (r.method == "POST" && r.url.find("mount=") == std::string::npos);
      n += upload && r.url.find(std::string(d.hex())) != std::string::npos;
    }
    return n;
  }

  testing::ScratchDir dir_;
  registry::FakeRegistry fake_;
  registry::Client client_{fake_.host(), {&fake_, nullptr, {}, {1, 0, 0, [](double) {}}, {}}};
  std::unique_ptr<content::ImageStore> store_;
  std::unique_ptr<BlobOrigins> origins_;
  TestImage img_;
};

TEST_F(PushTest, BlobsFirstThenTheManifestLast) {
  auto pushed = Push("registry.test/team/tool:1.0");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->digest, img_.manifest.descriptor.digest);
  EXPECT_EQ(fake_.Tag("team/tool", "1.0"), img_.manifest.descriptor.digest);
  for (const auto& l : img_.layers) EXPECT_TRUE(fake_.HasBlob("team/tool", l.descriptor.digest));
  auto requests = fake_.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().method, "PUT");
  EXPECT_NE(requests.back().url.find("/v2/team/tool/manifests/1.0"), std::string::npos)
      << requests.back().url;
  int manifest_puts = 0;
  for (const auto& r : requests) manifest_puts += r.url.find("/manifests/") != std::string::npos;
  EXPECT_EQ(manifest_puts, 1);
}

TEST_F(PushTest, BlobsTheRegistryHasAreSkipped) {
  fake_.AddBlob("team/tool", img_.layers[0].bytes);
  ASSERT_TRUE(Push("registry.test/team/tool:1.0").ok());
  EXPECT_EQ(Uploads(img_.layers[0].descriptor.digest), 0);
  EXPECT_EQ(Uploads(img_.layers[1].descriptor.digest), 1);
  fake_.ClearRequests();
  ASSERT_TRUE(Push("registry.test/team/tool:latest").ok());  // again: nothing uploaded
  for (const auto& l : img_.layers) EXPECT_EQ(Uploads(l.descriptor.digest), 0);
  EXPECT_EQ(Uploads(img_.config.descriptor.digest), 0);
}

TEST_F(PushTest, ABlobInAnotherRepositoryIsMounted) {
  ASSERT_TRUE(Push("registry.test/team/base:1").ok());  // notes team/base for every blob
  fake_.ClearRequests();
  ASSERT_TRUE(Push("registry.test/team/tool:1.0").ok());
  int mounts = 0;
  for (const auto& r : fake_.requests()) {
    mounts += r.method == "POST" && r.url.find("from=team") != std::string::npos;
  }
  EXPECT_EQ(mounts, 3);  // config and both layers
  for (const auto& l : img_.layers) {
    EXPECT_EQ(Uploads(l.descriptor.digest), 0);
    EXPECT_TRUE(fake_.HasBlob("team/tool", l.descriptor.digest));
  }
}

TEST_F(PushTest, ARefusedMountFallsBackToAnUpload) {
  ASSERT_TRUE(Push("registry.test/team/base:1").ok());
  fake_.RefuseMounts(true);
  fake_.ClearRequests();
  ASSERT_TRUE(Push("registry.test/team/tool:1.0").ok());
  for (const auto& l : img_.layers) EXPECT_EQ(Uploads(l.descriptor.digest), 1);
  EXPECT_EQ(fake_.OpenUploads(), 0);
}

// The origins are a hint: a mount answered with an error falls back to an upload.
TEST_F(PushTest, AMountAnsweredWithAnErrorFallsBackToAnUpload) {
  ASSERT_TRUE(Push("registry.test/team/base:1").ok());
  for (int status : {403, 404, 405}) {
    fake_.FailMounts(status);
    fake_.ClearRequests();
    std::string dest = "team/tool" + std::to_string(status);
    auto pushed = Push("registry.test/" + dest + ":1.0");
    ASSERT_TRUE(pushed.ok()) << status << ": " << pushed.status().ToString();
    for (const auto& l : img_.layers) {
      EXPECT_EQ(Uploads(l.descriptor.digest), 1) << status;
      EXPECT_TRUE(fake_.HasBlob(dest, l.descriptor.digest)) << status;
    }
  }
}

// A registry still unavailable after the retries fails the push.
TEST_F(PushTest, AMountUnavailableAfterTheRetriesFailsThePush) {
  ASSERT_TRUE(Push("registry.test/team/base:1").ok());
  fake_.FailMounts(503);
  auto pushed = Push("registry.test/team/tool:1.0");
  EXPECT_EQ(pushed.status().code(), Code::kUnavailable) << pushed.status().ToString();
}

TEST_F(PushTest, BigBlobsGoInChunksSmallOnesInOneRequest) {
  PushOptions options;
  options.chunked_above = img_.layers[0].descriptor.size - 1;  // the first layer is "big"
  options.chunk_size = 16;
  int64_t expected = 0;  // PATCHes of 16 bytes for each blob over the threshold
  for (const auto* b : {&img_.config, &img_.layers[0], &img_.layers[1]}) {
    if (b->descriptor.size > options.chunked_above) expected += (b->descriptor.size + 15) / 16;
  }
  ASSERT_LT(img_.layers[1].descriptor.size, img_.layers[0].descriptor.size);  // one goes whole
  ASSERT_TRUE(Push("registry.test/team/tool:1.0", options).ok());
  int patches = 0;
  for (const auto& r : fake_.requests()) patches += r.method == "PATCH";
  EXPECT_EQ(patches, expected);
  EXPECT_EQ(Uploads(img_.layers[1].descriptor.digest), 1);
  for (const auto& l : img_.layers) EXPECT_TRUE(fake_.HasBlob("team/tool", l.descriptor.digest));
}

TEST_F(PushTest, PushThenPullGivesTheSameDigest) {
  auto pushed = Push("registry.test/team/tool:1.0");
  ASSERT_TRUE(pushed.ok());
  testing::ScratchDir other;
  auto store = content::ImageStore::Open(other.Sub("oci"));
  ASSERT_TRUE(store.ok());
  auto layers = snapshot::LayerCache::Open(other.Sub("layers"), &(*store)->blobs());
  ASSERT_TRUE(layers.ok());
  auto ref = *oci::Reference::Parse("registry.test/team/tool:1.0");
  auto pulled = PullImage(client_, **store, *layers, ref, "registry.test/team/tool:1.0");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->digest, pushed->digest);
  for (const auto& d : img_.diff_ids) EXPECT_TRUE(layers->Has(d));
}

TEST_F(PushTest, ADigestDestinationMustBeTheImages) {
  auto wrong = Push("registry.test/team/tool@" + oci::Digest::FromData("x").str());
  EXPECT_EQ(wrong.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(fake_.requests().empty());
}

TEST(BlobOriginsTest, NotesReposPerHostWithoutDuplicates) {
  testing::ScratchDir dir;
  auto origins = BlobOrigins::Open(dir.Sub("o"));
  ASSERT_TRUE(origins.ok());
  oci::Digest d = oci::Digest::FromData("blob");
  ASSERT_TRUE(origins->Note(d, "h:5000", "team/a").ok());
  ASSERT_TRUE(origins->Note(d, "h:5000", "team/a").ok());
  ASSERT_TRUE(origins->Note(d, "other", "team/b").ok());
  ASSERT_TRUE(origins->Note(d, "h:5000", "team/c").ok());
  EXPECT_EQ(origins->ReposOn(d, "h:5000"), (std::vector<std::string>{"team/a", "team/c"}));
  EXPECT_EQ(origins->ReposOn(d, "other"), (std::vector<std::string>{"team/b"}));
  EXPECT_TRUE(origins->ReposOn(oci::Digest::FromData("none"), "h:5000").empty());
  EXPECT_FALSE(origins->Note(d, "h:5000", "x\nh:5000/evil").ok());
}

}  // namespace
}  // namespace kiln::images
