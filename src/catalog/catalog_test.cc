#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include "testing/test_env.h"

namespace kiln::catalog {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Catalog::Open(dir_.Sub("kiln.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }
  VersionRecord Add(const std::string& image, const char* spec, int64_t created = 100) {
    NewVersion nv{oci::Digest::FromData(image + std::to_string(n_++)), 10, created, "2x8", "test"};
    auto r = cat_->AddVersion(image, *ParseVersionSpec(spec), nv);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }
  testing::ScratchDir dir_;
  std::unique_ptr<Catalog> cat_;
  int n_ = 0;
};

TEST_F(CatalogTest, VersionsAndLatestFollowTheSeed) {
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.0.0");
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.1.0");
  EXPECT_EQ(Add("ci", "2.*").version.ToString(), "2.0.0");
  VersionRecord r = Add("ci", "1.*");
  EXPECT_EQ(r.version.ToString(), "1.2.0");
  auto latest = cat_->Resolve("ci", "latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version.ToString(), "1.2.0");
  EXPECT_EQ(latest->manifest, r.manifest);
  auto all = cat_->List("ci");
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].version.ToString(), "2.0.0");  // highest first
}

TEST_F(CatalogTest, ResolveErrorsNameWhatExists) {
  Add("ci", "");
  auto r = cat_->Resolve("ci", "9.9.9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("1.0.0"), std::string::npos);
  EXPECT_EQ(cat_->Resolve("nope", "latest").status().code(), Code::kNotFound);
}

TEST_F(CatalogTest, DeletedNumbersAreNeverReused) {
  Add("ci", "");
  Add("ci", "");
  ASSERT_TRUE(cat_->DeleteVersion("ci", {1, 1, 0}, false).ok());
  EXPECT_EQ(cat_->Resolve("ci", "latest")->version.ToString(), "1.0.0");
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.2.0");
}

TEST_F(CatalogTest, PinnedVersionNeedsForceAndRollbackMovesLatest) {
  Add("ci", "");
  Add("ci", "");
  ASSERT_TRUE(cat_->PutRunner({"big", "ci", "1.0.0", "8x32"}).ok());
  Status s = cat_->DeleteVersion("ci", {1, 0, 0}, false);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  ASSERT_TRUE(cat_->SetLatest("ci", {1, 0, 0}).ok());
  EXPECT_EQ(cat_->Resolve("ci", "")->version.ToString(), "1.0.0");
  EXPECT_FALSE(cat_->SetLatest("ci", {7, 0, 0}).ok());
  ASSERT_TRUE(cat_->DeleteVersion("ci", {1, 0, 0}, true).ok());
  EXPECT_EQ(cat_->Resolve("ci", "")->version.ToString(), "1.1.0");
  EXPECT_EQ(cat_->GetRunner("big")->size, "8x32");
  EXPECT_TRUE(cat_->DeleteRunner("big").ok());
  EXPECT_EQ(cat_->DeleteRunner("big").code(), Code::kNotFound);
}

TEST_F(CatalogTest, RetentionKeepsNewestAndYoung) {
  for (int i = 0; i < 5; ++i) Add("ci", "", 1000 + i);
  ASSERT_TRUE(cat_->SetRetention("ci", {2, 0}).ok());
  auto removed = cat_->Prune("ci", 2000);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->size(), 3u);
  auto left = cat_->List("ci");
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].version.ToString(), "1.4.0");
  EXPECT_EQ((*left)[1].version.ToString(), "1.3.0");
  ASSERT_TRUE(cat_->SetRetention("ci", {0, 1}).ok());
  removed = cat_->Prune("ci", 1004 + 2 * 86400);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->size(), 1u);  // 1.3.0 is too old; 1.4.0 is latest and stays
}

TEST_F(CatalogTest, ConcurrentProcessesGetDistinctVersions) {
  const int kProcs = 4, kEach = 10;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto c = Catalog::Open(dir_.Sub("kiln.db"));
      if (!c.ok()) ::_exit(1);
      for (int i = 0; i < kEach; ++i) {
        NewVersion nv{oci::Digest::FromData(std::to_string(p * 100 + i)), 1, 1, "", ""};
        if (!(*c)->AddVersion("race", {}, nv).ok()) ::_exit(2);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  auto all = cat_->List("race");
  ASSERT_TRUE(all.ok());
  std::set<std::string> seen;
  for (const auto& r : *all) seen.insert(r.version.ToString());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kProcs * kEach));
  EXPECT_EQ(all->front().version.ToString(), "1." + std::to_string(kProcs * kEach - 1) + ".0");
}

}  // namespace
}  // namespace kiln::catalog
