// The Catalog conformance suite, part two: pins, deleting sets of versions, runners and
// retention (instantiated for every implementation in catalog_suite.cc).
#include "catalog/catalog_suite.h"

namespace kiln::catalog {
namespace {

TEST_P(CatalogSuite, PinnedVersionNeedsForceAndTheErrorNamesTheRunner) {
  Add("toolbox", "");
  Add("toolbox", "");
  ASSERT_TRUE(cat_->PutRunner({"ci-large", "toolbox", "1.0.0", "8x32", ""}).ok());
  Status s = cat_->DeleteVersion("toolbox", {1, 0, 0}, false);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "toolbox:1.0.0 is pinned by runner ci-large; remove the runner or use --force");
  EXPECT_EQ(Tags("toolbox"), (Strings{"1.1.0+latest", "1.0.0"}));
  ASSERT_TRUE(cat_->DeleteVersion("toolbox", {1, 0, 0}, true).ok());
  EXPECT_EQ(Tags("toolbox"), (Strings{"1.1.0+latest"}));
}

TEST_P(CatalogSuite, DeleteImageChecksEveryPinFirstAndChangesNothingWhenRefused) {
  for (int i = 0; i < 3; ++i) Add("toolbox", "");
  Add("other", "");
  ASSERT_TRUE(cat_->PutRunner({"ci-large", "toolbox", "1.1.0", "8x32", ""}).ok());
  ASSERT_TRUE(cat_->PutRunner({"ci-small", "toolbox", "1.1", "2x8", ""}).ok());
  auto r = cat_->DeleteImage("toolbox", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(
      r.status().message(),
      "toolbox:1.1.0 is pinned by runners ci-large, ci-small; remove the runners or use --force");
  EXPECT_EQ(Tags("toolbox"), (Strings{"1.2.0+latest", "1.1.0", "1.0.0"}));
  // A set of versions is all or nothing too: a pin or an absent version anywhere stops it.
  EXPECT_EQ(cat_->DeleteVersions("toolbox", {{1, 2, 0}, {1, 1, 0}}, false).status().code(),
            Code::kFailedPrecondition);
  auto absent = cat_->DeleteVersions("toolbox", {{1, 0, 0}, {9, 0, 0}}, false);
  EXPECT_EQ(absent.status().code(), Code::kNotFound);
  EXPECT_NE(absent.status().message().find("9.0.0"), std::string::npos)
      << absent.status().message();
  EXPECT_EQ(Tags("toolbox"), (Strings{"1.2.0+latest", "1.1.0", "1.0.0"}));
  auto some = cat_->DeleteVersions("toolbox", {{1, 0, 0}, {1, 2, 0}}, false);
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  ASSERT_EQ(some->size(), 2u);
  EXPECT_EQ((*some)[0].version.ToString(), "1.2.0");  // newest first
  EXPECT_EQ(Tags("toolbox"), (Strings{"1.1.0+latest"}));
  auto all = cat_->DeleteImage("toolbox", true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(Tags("toolbox").empty());
  EXPECT_EQ(Tags("other"), (Strings{"1.0.0+latest"}));
}

TEST_P(CatalogSuite, ARunnerFollowingLatestKeepsTheLastVersion) {
  Add("ci", "");
  Add("ci", "");
  ASSERT_TRUE(cat_->PutRunner({"follow", "ci", "latest", "2x8", ""}).ok());
  ASSERT_TRUE(cat_->DeleteVersion("ci", {1, 1, 0}, false).ok());  // latest moves to 1.0.0
  Status s = cat_->DeleteVersion("ci", {1, 0, 0}, false);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("ci:1.0.0 is pinned by runner follow (it follows latest"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(cat_->DeleteImage("ci", false).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Tags("ci"), (Strings{"1.0.0+latest"}));
}

TEST_P(CatalogSuite, RunnersAreStoredByNameWithOneVersionSpelling) {
  Add("ci", "");
  ASSERT_TRUE(cat_->PutRunner({"b", "ci", "1.0", "8x32", ""}).ok());
  ASSERT_TRUE(cat_->PutRunner({"a", "ci", "", "2x8", ""}).ok());
  EXPECT_EQ(cat_->PutRunner({"c", "ci", "one", "2x8", ""}).code(), Code::kInvalidArgument);
  auto all = cat_->ListRunners();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a");
  EXPECT_EQ((*all)[0].version, "latest");
  EXPECT_EQ((*all)[1].version, "1.0.0");
  EXPECT_EQ(cat_->GetRunner("b")->size, "8x32");
  EXPECT_EQ(cat_->GetRunner("b")->network, "");
  ASSERT_TRUE(cat_->PutRunner({"b", "ci", "latest", "4x16", "none"}).ok());  // replaces
  EXPECT_EQ(cat_->GetRunner("b")->size, "4x16");
  EXPECT_EQ(cat_->GetRunner("b")->network, "none");
  EXPECT_EQ(cat_->GetRunner("nope").status().code(), Code::kNotFound);
  EXPECT_TRUE(cat_->DeleteRunner("b").ok());
  EXPECT_EQ(cat_->DeleteRunner("b").code(), Code::kNotFound);
  EXPECT_EQ(cat_->ListRunners()->size(), 1u);
}

TEST_P(CatalogSuite, RetentionKeepsNewestYoungLatestAndPinned) {
  for (int i = 0; i < 5; ++i) Add("ci", "", 1000 + i);
  EXPECT_EQ(cat_->GetRetention("ci")->keep_newest, 0);
  EXPECT_TRUE(cat_->Prune("ci", 2000)->empty());  // no policy: nothing goes
  ASSERT_TRUE(cat_->SetRetention("ci", {2, 0}).ok());
  ASSERT_TRUE(cat_->PutRunner({"old", "ci", "1.0.0", "2x8", ""}).ok());
  auto removed = cat_->Prune("ci", 2000);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->size(), 2u);  // 1.2.0 and 1.1.0; 1.0.0 is pinned
  EXPECT_EQ(Tags("ci"), (Strings{"1.4.0+latest", "1.3.0", "1.0.0"}));
  ASSERT_TRUE(cat_->DeleteRunner("old").ok());
  ASSERT_TRUE(cat_->SetRetention("ci", {0, 1}).ok());
  removed = cat_->Prune("ci", 1004 + 2 * 86400);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->size(), 2u);  // 1.3.0 and 1.0.0 are too old; 1.4.0 is latest and stays
  EXPECT_EQ(Tags("ci"), (Strings{"1.4.0+latest"}));
}

TEST_P(CatalogSuite, DefaultRetentionAppliesToImagesWithoutTheirOwn) {
  ASSERT_TRUE(cat_->SetRetention("*", {1, 0}).ok());
  ASSERT_TRUE(cat_->SetRetention("mine", {3, 0}).ok());
  EXPECT_EQ(cat_->GetRetention("any")->keep_newest, 1);
  EXPECT_EQ(cat_->GetRetention("mine")->keep_newest, 3);
  for (int i = 0; i < 3; ++i) Add("any", "", 1000 + i);
  EXPECT_EQ(cat_->Prune("any", 2000)->size(), 2u);
  EXPECT_EQ(Tags("any"), (Strings{"1.2.0+latest"}));
}

}  // namespace
}  // namespace kiln::catalog
