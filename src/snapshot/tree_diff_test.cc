// DiffLayerStacks on plain directories (no root): what counts as added, changed and deleted.
#include "snapshot/tree_diff.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

std::string Changes(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto diff = DiffLayerStacks(a, b);
  EXPECT_TRUE(diff.ok()) << diff.status().ToString();
  std::string out;
  for (const auto& c : diff.ok() ? *diff : std::vector<PathChange>{})
    out += std::string(1, c.kind) + " " + c.path + "\n";
  return out;
}

TEST(TreeDiffTest, ContentIsComparedWholeWhenSizesAreEqual) {
  testing::ScratchDir dir;
  std::string a = dir.Sub("a"), b = dir.Sub("b");
  ASSERT_TRUE(MakeDirs(a).ok() && MakeDirs(b).ok());
  // Larger than one read chunk: the two differ only in the last byte.
  std::string big(700 * 1024, 'x');
  ASSERT_TRUE(WriteFileAtomic(a + "/big", big).ok());
  big.back() = 'y';
  ASSERT_TRUE(WriteFileAtomic(b + "/big", big).ok());
  ASSERT_TRUE(WriteFileAtomic(a + "/same", std::string(300 * 1024, 'z')).ok());
  ASSERT_TRUE(WriteFileAtomic(b + "/same", std::string(300 * 1024, 'z')).ok());
  ASSERT_TRUE(WriteFileAtomic(a + "/gone", "g").ok());
  ASSERT_TRUE(WriteFileAtomic(b + "/new", "n").ok());
  ASSERT_TRUE(WriteFileAtomic(a + "/small", "abc").ok());
  ASSERT_TRUE(WriteFileAtomic(b + "/small", "abd").ok());
  ASSERT_EQ(::symlink("one", (a + "/link").c_str()), 0);
  ASSERT_EQ(::symlink("two", (b + "/link").c_str()), 0);
  EXPECT_EQ(Changes({a}, {b}), "C /big\nD /gone\nC /link\nA /new\nC /small\n");
  EXPECT_EQ(Changes({a}, {a}), "");
}

TEST(TreeDiffTest, UpperLayersHideLowerOnes) {
  testing::ScratchDir dir;
  std::string base = dir.Sub("base"), top = dir.Sub("top");
  ASSERT_TRUE(MakeDirs(base + "/etc").ok() && MakeDirs(top + "/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(base + "/etc/conf", "old").ok());
  ASSERT_TRUE(WriteFileAtomic(top + "/etc/conf", "new").ok());
  EXPECT_EQ(Changes({base}, {base, top}), "C /etc/conf\n");
  EXPECT_EQ(Changes({base, top}, {top}), "");
}

}  // namespace
}  // namespace kiln::snapshot
