#include "catalog/version.h"

#include <gtest/gtest.h>

namespace kiln::catalog {
namespace {

Version V(int a, int b) { return Version{a, b, 0}; }

TEST(VersionTest, ParseAndPrint) {
  EXPECT_EQ(ParseVersion("1.2.0")->ToString(), "1.2.0");
  EXPECT_EQ(ParseVersion("3.4")->ToString(), "3.4.0");
  EXPECT_FALSE(ParseVersion("1").ok());
  EXPECT_FALSE(ParseVersion("1.x.0").ok());
  EXPECT_FALSE(ParseVersion("-1.0.0").ok());
  EXPECT_LT(V(1, 9), V(2, 0));
}

TEST(VersionTest, SpecAcceptsOnlyMajorStar) {
  EXPECT_EQ(ParseVersionSpec("2.*")->major, 2);
  EXPECT_EQ(ParseVersionSpec("0.*")->major, 0);
  EXPECT_FALSE(ParseVersionSpec("")->major.has_value());
  for (const char* bad : {"2", "2.1", "2.1.*", "*", "x.*", "-1.*", "2.*.*", "latest"}) {
    EXPECT_FALSE(ParseVersionSpec(bad).ok()) << bad;
  }
}

TEST(VersionTest, SequenceFromTheSeed) {
  std::vector<Version> have;
  auto next = [&](const char* spec) {
    Version v = NextVersion(have, *ParseVersionSpec(spec));
    have.push_back(v);
    return v.ToString();
  };
  EXPECT_EQ(next(""), "1.0.0");
  EXPECT_EQ(next(""), "1.1.0");
  EXPECT_EQ(next("2.*"), "2.0.0");
  EXPECT_EQ(next("1.*"), "1.2.0");
  EXPECT_EQ(next("2.*"), "2.1.0");
  EXPECT_EQ(next(""), "2.2.0");
  EXPECT_EQ(next("5.*"), "5.0.0");
}

TEST(VersionTest, FirstSnapshotWithMajorStartsThere) {
  EXPECT_EQ(NextVersion({}, VersionSpec{3}).ToString(), "3.0.0");
}

}  // namespace
}  // namespace kiln::catalog
