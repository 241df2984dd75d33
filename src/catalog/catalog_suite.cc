// The Catalog conformance suite: behaviour every implementation shares.
#include "catalog/catalog_suite.h"

#include <set>
#include <thread>

namespace kiln::catalog {

void CatalogSuite::SetUp() {
  auto c = GetParam().open(dir_.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  cat_ = std::move(*c);
}

VersionRecord CatalogSuite::Add(const std::string& image, const char* spec, int64_t created) {
  NewVersion nv{
      oci::Digest::FromData(image + std::to_string(n_++)), 10, created, "2x8", "test", ""};
  auto r = cat_->AddVersion(image, *ParseVersionSpec(spec), nv);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : VersionRecord{};
}

std::vector<std::string> CatalogSuite::Tags(const std::string& image) {
  std::vector<std::string> out;
  auto all = cat_->List(image);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  for (const auto& r : all.ok() ? *all : std::vector<VersionRecord>{}) {
    out.push_back(r.version.ToString() + (r.latest ? "+latest" : ""));
  }
  return out;
}

namespace {

TEST_P(CatalogSuite, VersionsAndLatestFollowTheSeed) {
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.0.0");
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.1.0");
  EXPECT_EQ(Add("ci", "2.*").version.ToString(), "2.0.0");
  VersionRecord r = Add("ci", "1.*");
  EXPECT_EQ(r.version.ToString(), "1.2.0");
  EXPECT_TRUE(r.latest);
  EXPECT_EQ(Add("ci", "2.*").version.ToString(), "2.1.0");
  EXPECT_EQ(Add("ci", "5.*").version.ToString(), "5.0.0");
  auto latest = cat_->Resolve("ci", "latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version.ToString(), "5.0.0");
  EXPECT_EQ(cat_->Resolve("ci", "")->version.ToString(), "5.0.0");
  auto one = cat_->Resolve("ci", "1.2.0");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->manifest, r.manifest);
  EXPECT_EQ(one->runner_size, "2x8");
  EXPECT_EQ(one->source, "test");
  EXPECT_EQ(one->size, 10);
  EXPECT_FALSE(one->latest);
  EXPECT_EQ(Tags("ci"), (Strings{"5.0.0+latest", "2.1.0", "2.0.0", "1.2.0", "1.1.0", "1.0.0"}));
}

TEST_P(CatalogSuite, FirstSnapshotWithAMajorStartsThere) {
  EXPECT_EQ(Add("new", "3.*").version.ToString(), "3.0.0");
  EXPECT_EQ(Add("new", "").version.ToString(), "3.1.0");
}

TEST_P(CatalogSuite, ResolveErrorsNameWhatExists) {
  Add("ci", "");
  Add("ci", "");
  auto r = cat_->Resolve("ci", "9.9.9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("9.9.9"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("1.1.0, 1.0.0"), std::string::npos) << r.status().message();
  auto none = cat_->Resolve("nope", "latest");
  EXPECT_EQ(none.status().code(), Code::kNotFound);
  EXPECT_NE(none.status().message().find("no custom image named nope"), std::string::npos);
  EXPECT_EQ(cat_->Resolve("ci", "one").status().code(), Code::kInvalidArgument);
}

TEST_P(CatalogSuite, ListsImagesByNameThenNewestVersionFirst) {
  Add("zeta", "");
  Add("alpha", "");
  Add("alpha", "2.*");
  Add("zeta", "");
  auto all = cat_->List("");
  ASSERT_TRUE(all.ok());
  Strings got;
  for (const auto& r : *all)
    got.push_back(r.image + ":" + r.version.ToString() + (r.latest ? "+latest" : ""));
  EXPECT_EQ(got, (Strings{"alpha:2.0.0+latest", "alpha:1.0.0", "zeta:1.1.0+latest", "zeta:1.0.0"}));
  EXPECT_TRUE(cat_->List("nope")->empty());
}

TEST_P(CatalogSuite, DeletedNumbersAreNeverReused) {
  Add("ci", "");
  Add("ci", "");
  ASSERT_TRUE(cat_->DeleteVersion("ci", {1, 1, 0}, false).ok());
  EXPECT_EQ(Tags("ci"), (Strings{"1.0.0+latest"}));
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.2.0");
  auto gone = cat_->DeleteImage("ci", false);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(gone->size(), 2u);
  EXPECT_TRUE(Tags("ci").empty());
  EXPECT_EQ(cat_->DeleteImage("ci", false).status().code(), Code::kNotFound);
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.3.0");
}

TEST_P(CatalogSuite, RollbackMovesLatestToAnExistingVersion) {
  Add("ci", "");
  Add("ci", "");
  ASSERT_TRUE(cat_->SetLatest("ci", {1, 0, 0}).ok());
  EXPECT_EQ(cat_->Resolve("ci", "")->version.ToString(), "1.0.0");
  EXPECT_EQ(Tags("ci"), (Strings{"1.1.0", "1.0.0+latest"}));
  Status s = cat_->SetLatest("ci", {7, 0, 0});
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("1.1.0, 1.0.0"), std::string::npos) << s.message();
  EXPECT_EQ(cat_->Resolve("ci", "")->version.ToString(), "1.0.0");
  // The next snapshot still gets a new number and becomes latest.
  EXPECT_EQ(Add("ci", "").version.ToString(), "1.2.0");
  EXPECT_EQ(Tags("ci"), (Strings{"1.2.0+latest", "1.1.0", "1.0.0"}));
}

TEST_P(CatalogSuite, DeletingLatestMovesItToTheHighestLeft) {
  Add("ci", "");
  Add("ci", "2.*");
  Add("ci", "1.*");  // 1.1.0 is latest, 2.0.0 is highest
  ASSERT_TRUE(cat_->DeleteVersion("ci", {1, 1, 0}, false).ok());
  EXPECT_EQ(Tags("ci"), (Strings{"2.0.0+latest", "1.0.0"}));
}

// Several jobs of one kiln process snapshot and resolve through one Catalog at once.
// A pending version is usable at once (latest moves to it, it resolves) and is made whole
// later; completing it twice with the same manifest is fine, with another is refused.
TEST_P(CatalogSuite, PendingVersionsAreCompletedOnce) {
  Add("ci", "");
  NewVersion nv{oci::Digest::FromData("ignored"), 0, 5, "2x8", "job", R"({"layer":"k"})"};
  auto added = cat_->AddVersion("ci", *ParseVersionSpec(""), nv);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(added->is_pending());
  EXPECT_EQ(added->manifest, oci::Digest());
  auto latest = cat_->Resolve("ci", "latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version.ToString(), "1.1.0");
  EXPECT_EQ(latest->pending, R"({"layer":"k"})");
  EXPECT_EQ(latest->manifest, oci::Digest());

  Version v = added->version;
  oci::Digest m = oci::Digest::FromData("manifest");
  ASSERT_TRUE(cat_->CompleteVersion("ci", v, m, 1234).ok());
  auto whole = cat_->Resolve("ci", "1.1.0");
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->is_pending());
  EXPECT_EQ(whole->manifest, m);
  EXPECT_EQ(whole->size, 1234);
  EXPECT_TRUE(whole->latest);
  EXPECT_TRUE(cat_->CompleteVersion("ci", v, m, 1234).ok());
  EXPECT_EQ(cat_->CompleteVersion("ci", v, oci::Digest::FromData("other"), 1).code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(cat_->CompleteVersion("ci", Version{9, 0, 0}, m, 1).code(), Code::kNotFound);
  // A whole version stays whole.
  auto first = cat_->Resolve("ci", "1.0.0");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->is_pending());
}

TEST_P(CatalogSuite, ThreadsAddingVersionsOfOneImageGetDistinctVersions) {
  const int kThreads = 4, kEach = 20;
  Add("race", "");
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        NewVersion nv{oci::Digest::FromData(std::to_string(t * 1000 + i)), 1, 1, "", "", ""};
        auto r = cat_->AddVersion("race", {}, nv);
        if (r.ok()) got[static_cast<size_t>(t)].push_back(r->version.ToString());
        // Readers between the writers.
        auto latest = cat_->Resolve("race", "latest");
        EXPECT_TRUE(latest.ok()) << latest.status().ToString();
        EXPECT_TRUE(cat_->List("").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  size_t returned = 0;
  for (const auto& g : got) {
    returned += g.size();
    seen.insert(g.begin(), g.end());
  }
  EXPECT_EQ(returned, static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kEach));
  auto all = cat_->List("race");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), static_cast<size_t>(kThreads * kEach + 1));
  EXPECT_EQ(all->front().version.ToString(), "1." + std::to_string(kThreads * kEach) + ".0");
  EXPECT_TRUE(all->front().latest);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogs, CatalogSuite,
    ::testing::Values(
        CatalogKind{"Sqlite", [](const std::string& dir) { return OpenCatalog(dir + "/kiln.db"); }},
        CatalogKind{"Memory", [](const std::string&) { return OpenCatalog("memory:"); }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kiln::catalog
