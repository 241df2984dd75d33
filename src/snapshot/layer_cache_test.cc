// Keyed layer-cache dirs (a snapshot's upper dir before its diff ID is known): link and prune.
#include "snapshot/layer_cache.h"

#include <gtest/gtest.h>

#include <set>

#include "base/fs.h"
#include "content/blob_store.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

class KeyedDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = LayerCache::Open(dir_.Sub("layers"), blobs_.get());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cache_.emplace(std::move(*c));
    ASSERT_TRUE(MakeDirs(cache_->DirFor(key_), 0755).ok());
    ASSERT_TRUE(WriteFileAtomic(cache_->DirFor(key_) + "/f", "layer\n").ok());
  }
  testing::ScratchDir dir_;
  std::unique_ptr<content::BlobStore> blobs_ = content::NewMemoryBlobStore();
  std::optional<LayerCache> cache_;
  std::string key_ = LayerCache::NewKey();
  oci::Digest diff_ = oci::Digest::FromData("the layer's tar");
};

TEST_F(KeyedDirTest, KeysAreFreshAndNamed) {
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    std::string k = LayerCache::NewKey();
    EXPECT_EQ(k.rfind("snap-", 0), 0u);
    EXPECT_EQ(k.size(), 21u);
    keys.insert(k);
  }
  EXPECT_EQ(keys.size(), 100u);
}

// The diff ID names the keyed dir, which stays where it is (a job may run on it).
TEST_F(KeyedDirTest, LinkMakesTheDiffIdNameTheDir) {
  EXPECT_FALSE(cache_->Has(diff_));
  ASSERT_TRUE(cache_->Link(diff_, key_).ok());
  EXPECT_TRUE(cache_->Has(diff_));
  EXPECT_EQ(*ReadFile(cache_->PathFor(diff_) + "/f"), "layer\n");
  EXPECT_TRUE(IsDirectory(cache_->DirFor(key_)));
  ASSERT_TRUE(cache_->Link(diff_, key_).ok());  // again: nothing changes
  EXPECT_EQ(*ReadFile(cache_->PathFor(diff_) + "/f"), "layer\n");
}

TEST_F(KeyedDirTest, PruneKeepsALinkedDirWithItsLinkAndAKeptKey) {
  ASSERT_TRUE(cache_->Link(diff_, key_).ok());
  ASSERT_TRUE(cache_->Prune({diff_}).ok());
  EXPECT_TRUE(IsDirectory(cache_->DirFor(key_)));
  EXPECT_TRUE(cache_->Has(diff_));
  // Kept by its name only (a pending version, or a sandbox's lower dir): the link goes.
  ASSERT_TRUE(cache_->Prune({}, {key_}).ok());
  EXPECT_TRUE(IsDirectory(cache_->DirFor(key_)));
  EXPECT_FALSE(PathExists(cache_->PathFor(diff_)));
  ASSERT_TRUE(cache_->Prune({}).ok());
  EXPECT_FALSE(PathExists(cache_->DirFor(key_)));
}

}  // namespace
}  // namespace kiln::snapshot
