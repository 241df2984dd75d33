// One BlobStore suite, run on the disk store and on the in-memory fake.
#include "content/blob_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::content {
namespace {

enum class Kind { kDisk, kMemory };

class BlobStoreSuite : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kDisk) {
      auto s = DiskBlobStore::Open(dir_.path());
      ASSERT_TRUE(s.ok());
      disk_ = s->get();
      store_ = std::move(*s);
    } else {
      store_ = NewMemoryBlobStore();
    }
  }
  testing::ScratchDir dir_;
  std::unique_ptr<BlobStore> store_;
  DiskBlobStore* disk_ = nullptr;
};

TEST_P(BlobStoreSuite, PutReadHasSizeListDelete) {
  auto d = store_->Put("hello", "text/plain");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->digest, oci::Digest::FromData("hello"));
  EXPECT_EQ(d->size, 5);
  EXPECT_TRUE(store_->Has(d->digest));
  EXPECT_EQ(*store_->Size(d->digest), 5);
  EXPECT_EQ(*store_->Read(d->digest), "hello");
  EXPECT_EQ(store_->List()->size(), 1u);
  EXPECT_TRUE(store_->Delete(d->digest).ok());
  EXPECT_FALSE(store_->Has(d->digest));
  EXPECT_EQ(store_->Delete(d->digest).code(), Code::kNotFound);
  EXPECT_EQ(store_->Open(d->digest).status().code(), Code::kNotFound);
}

TEST_P(BlobStoreSuite, WrongDigestOrSizeCommitsNothing) {
  auto bad = store_->Put("hello", "x", oci::Digest::FromData("other"));
  EXPECT_EQ(bad.status().code(), Code::kDataLoss);
  EXPECT_FALSE(store_->Has(oci::Digest::FromData("hello")));
  auto w = store_->NewWriter();
  ASSERT_TRUE((*w)->Write("abc").ok());
  EXPECT_EQ((*w)->Commit("x", std::nullopt, 4).status().code(), Code::kDataLoss);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_P(BlobStoreSuite, AbandonedWriterLeavesNothing) {
  {
    auto w = store_->NewWriter();
    ASSERT_TRUE((*w)->Write("partial").ok());
  }
  EXPECT_TRUE(store_->List()->empty());
  if (disk_) {
    EXPECT_TRUE(ListDir(dir_.path() + "/ingest")->empty());
  }
}

TEST_P(BlobStoreSuite, SameBlobTwiceIsFine) {
  ASSERT_TRUE(store_->Put("same", "x").ok());
  ASSERT_TRUE(store_->Put("same", "x").ok());
  EXPECT_EQ(store_->List()->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, BlobStoreSuite, ::testing::Values(Kind::kDisk, Kind::kMemory),
                         [](const auto& info) {
                           return info.param == Kind::kDisk ? "Disk" : "Memory";
                         });

TEST(DiskBlobStoreTest, CorruptedBlobIsDataLossOnRead) {
  testing::ScratchDir dir;
  auto s = DiskBlobStore::Open(dir.path());
  auto d = (*s)->Put("original", "x");
  std::string path = (*s)->PathOf(d->digest);
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(WriteFileAtomic(path, "tampered").ok());
  EXPECT_EQ((*s)->Read(d->digest).status().code(), Code::kDataLoss);
}

TEST(DiskBlobStoreTest, TwoProcessesIngestingTheSameBlobBothSucceed) {
  testing::ScratchDir dir;
  std::string data(8 << 20, 'k');
  for (int round = 0; round < 5; ++round) {
    std::vector<pid_t> pids;
    for (int p = 0; p < 2; ++p) {
      pid_t pid = ::fork();
      if (pid == 0) {
        auto s = DiskBlobStore::Open(dir.path());
        if (!s.ok()) ::_exit(1);
        auto w = (*s)->NewWriter();
        for (size_t i = 0; i < data.size(); i += 65536) {
          if (!(*w)->Write(std::string_view(data).substr(i, 65536)).ok()) ::_exit(2);
        }
        ::_exit((*w)->Commit("x", oci::Digest::FromData(data)).ok() ? 0 : 3);
      }
      pids.push_back(pid);
    }
    for (pid_t pid : pids) {
      int st = 0;
      ::waitpid(pid, &st, 0);
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "round " << round;
    }
    auto s = DiskBlobStore::Open(dir.path());
    EXPECT_EQ((*s)->Read(oci::Digest::FromData(data))->size(), data.size());
    EXPECT_TRUE(ListDir(dir.path() + "/ingest")->empty());
    ASSERT_TRUE((*s)->Delete(oci::Digest::FromData(data)).ok());
  }
}

// A killed writer's temp file is swept at once, however young; a live writer's is kept,
// however old, and still commits.
TEST(DiskBlobStoreTest, SweepTempRemovesDeadWritersFilesOnly) {
  testing::ScratchDir dir;
  auto s = DiskBlobStore::Open(dir.path());
  auto live = (*s)->NewWriter();
  ASSERT_TRUE((*live)->Write("live data").ok());
  pid_t pid = ::fork();
  if (pid == 0) {
    auto w = (*s)->NewWriter();
    if (!w.ok() || !(*w)->Write("doomed").ok()) ::_exit(1);
    ::raise(SIGKILL);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(ListDir(dir.path() + "/ingest")->size(), 2u);
  auto swept = (*s)->SweepTemp();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->entries, 1);
  EXPECT_EQ(ListDir(dir.path() + "/ingest")->size(), 1u);
  ASSERT_TRUE((*live)->Commit("x", oci::Digest::FromData("live data")).ok());
  EXPECT_TRUE(ListDir(dir.path() + "/ingest")->empty());
}

}  // namespace
}  // namespace kiln::content
