// CleanPath (safe_path.h): the names a layer may carry, normalised, and the ones refused.
#include <gtest/gtest.h>

#include "snapshot/safe_path.h"

namespace kiln::snapshot {
namespace {

std::string Clean(std::string_view raw) {
  auto r = CleanPath(raw);
  EXPECT_TRUE(r.ok()) << raw << ": " << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

TEST(SecurityCleanPath, NormalisesDotsSlashesAndAbsoluteNames) {
  EXPECT_EQ(Clean("etc/passwd"), "etc/passwd");
  EXPECT_EQ(Clean("./etc/passwd"), "etc/passwd");
  EXPECT_EQ(Clean("/etc/passwd"), "etc/passwd");  // absolute: inside the root all the same
  EXPECT_EQ(Clean("///etc//passwd"), "etc/passwd");
  EXPECT_EQ(Clean("etc/./passwd/."), "etc/passwd");
  EXPECT_EQ(Clean("usr/bin/"), "usr/bin");
  EXPECT_EQ(Clean("./"), "");
  EXPECT_EQ(Clean("/"), "");
  EXPECT_EQ(Clean(""), "");
  EXPECT_EQ(Clean("..."), "...");  // a name, not a parent
  EXPECT_EQ(Clean("a..b/..c/d.."), "a..b/..c/d..");
}

TEST(SecurityCleanPath, RefusesParentComponentsAnywhere) {
  for (std::string_view bad :
       {"..", "../etc/passwd", "a/../../etc", "a/..", "/..", "./../x", "a//..//b"}) {
    auto r = CleanPath(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find(".."), std::string::npos);
  }
}

TEST(SecurityCleanPath, RefusesNulBytes) {
  for (std::string_view bad : {std::string_view("etc/passwd\0.txt", 15), std::string_view("\0", 1),
                               std::string_view("a/\0/../b", 8)}) {
    auto r = CleanPath(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
}

TEST(SecurityCleanPath, RefusesOverlongNames) {
  std::string at_limit(4096, 'a');
  for (size_t i = 100; i < at_limit.size(); i += 100) at_limit[i] = '/';
  EXPECT_TRUE(CleanPath(at_limit).ok());
  auto r = CleanPath(at_limit + "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("4096"), std::string::npos);
}

// Whiteouts are names like any other here; layer_apply gives them their meaning.
TEST(SecurityCleanPath, WhiteoutNamesPassUnchanged) {
  EXPECT_EQ(Clean("./etc/.wh.passwd"), "etc/.wh.passwd");
  EXPECT_EQ(Clean("opt/.wh..wh..opq"), "opt/.wh..wh..opq");
  EXPECT_EQ(Clean("/.wh..wh.plnk/"), ".wh..wh.plnk");
}

TEST(SecurityCleanPath, SplitParent) {
  EXPECT_EQ(SplitParent("a/b/c"), (std::pair<std::string, std::string>{"a/b", "c"}));
  EXPECT_EQ(SplitParent("c"), (std::pair<std::string, std::string>{"", "c"}));
}

}  // namespace
}  // namespace kiln::snapshot
