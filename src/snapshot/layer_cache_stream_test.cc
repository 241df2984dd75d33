// LayerCache::UnpackStream: a layer read from a pipe as it is fed, renamed into the cache only
// when its diff ID and the feeder's check are right.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "base/fs.h"
#include "snapshot/layer_cache.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

class UnpackStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cache = LayerCache::Open(dir_.Sub("layers"), nullptr);
    ASSERT_TRUE(cache.ok());
    cache_ = std::make_unique<LayerCache>(std::move(*cache));
    tar_ = testing::TarBuilder().Dir("etc").File("etc/x", "streamed").Bytes();
    diff_id_ = oci::Digest::FromData(tar_);
  }
  // Feeds `bytes` through a pipe on another thread while UnpackStream reads it.
  Result<std::string> Stream(const std::string& bytes, const oci::Digest& diff_id,
                             const std::function<Status()>& verify = {}) {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    UniqueFd rd(p[0]), wr(p[1]);
    Status fed;
    std::thread feeder([&] {
      fed = WriteAll(wr.get(), bytes);
      wr.reset();
    });
    auto out =
        cache_->UnpackStream(rd.get(), oci::Compression::kNone, diff_id, "layer test", verify);
    feeder.join();
    EXPECT_TRUE(fed.ok()) << "the feeder never blocks for good: " << fed.ToString();
    return out;
  }
  bool NoTempDirs() {
    auto names = ListDir(dir_.Sub("layers"));
    for (const auto& n : *names) {
      if (n.rfind(".tmp-", 0) == 0) return false;
    }
    return true;
  }
  testing::ScratchDir dir_;
  std::unique_ptr<LayerCache> cache_;
  std::string tar_;
  oci::Digest diff_id_;
};

TEST_F(UnpackStreamTest, AStreamedLayerLandsUnderItsDiffId) {
  // Padding after the tar's end (as registries' tars have) is read too.
  std::string padded = tar_ + std::string(1 << 20, '\0');
  auto dir = Stream(padded, oci::Digest::FromData(padded));
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*ReadFile(*dir + "/etc/x"), "streamed");
  EXPECT_TRUE(NoTempDirs());
}

TEST_F(UnpackStreamTest, AWrongDiffIdCachesNothing) {
  oci::Digest other = oci::Digest::FromData("other");
  auto dir = Stream(tar_, other);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), Code::kDataLoss);
  EXPECT_FALSE(cache_->Has(other));
  EXPECT_TRUE(NoTempDirs());
}

TEST_F(UnpackStreamTest, TheFeedersVerdictComesBeforeTheRename) {
  auto refused = Stream(tar_, diff_id_, [] { return DataLoss("blob sha256:… is not its digest"); });
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not its digest"), std::string::npos);
  EXPECT_FALSE(cache_->Has(diff_id_));
  EXPECT_TRUE(NoTempDirs());
  auto accepted = Stream(tar_, diff_id_, [] { return Status::Ok(); });
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_TRUE(cache_->Has(diff_id_));
}

TEST_F(UnpackStreamTest, ACorruptStreamIsReadToItsEndAndCachesNothing) {
  std::string junk(3 << 20, 'x');  // not a tar; larger than a pipe holds
  auto dir = Stream(junk, diff_id_);
  EXPECT_FALSE(dir.ok());
  EXPECT_FALSE(cache_->Has(diff_id_));
  EXPECT_TRUE(NoTempDirs());
}

}  // namespace
}  // namespace kiln::snapshot
