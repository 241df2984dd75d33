#include "workflow/hash_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/expr.h"

namespace kiln::workflow {
namespace {

// Expected values: sha256(sha256(file1) || sha256(file2) …), computed independently (Python).
constexpr const char* kB = "c606dd677840d364890dce4afe87cfa83260633ed6020d197e8837f553dbbb89";
constexpr const char* kAC = "2143e8af34b7d34c7a3f068fa648c9b1004791bdf7725aa24c7437f5ae8cb79f";
constexpr const char* kA = "225f1bbbc4b1a3d97c622a492d91ea8d6858d7e1164bbbb5953f74311d6d222e";
constexpr const char* kC = "714b7aa5b0763ea6582d2156f87491351460093fb4cbb05ec6f837b30936f40b";
constexpr const char* kZX = "31a5f0e7e4f0b2fe613b00e52c30168f459d4676431d8722596f671b834e6ca3";

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = dir_.Sub("ws");
    ASSERT_TRUE(MakeDirs(ws_ + "/dir").ok());
    ASSERT_TRUE(MakeDirs(ws_ + "/node_modules").ok());
    ASSERT_TRUE(WriteFileAtomic(ws_ + "/a.txt", "a\n").ok());
    ASSERT_TRUE(WriteFileAtomic(ws_ + "/b.lock", "b\n").ok());
    ASSERT_TRUE(WriteFileAtomic(ws_ + "/dir/c.txt", "c\n").ok());
    ASSERT_TRUE(WriteFileAtomic(ws_ + "/node_modules/m.txt", "m\n").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.Sub("outside.txt"), "secret\n").ok());
    ASSERT_EQ(symlink(dir_.Sub("outside.txt").c_str(), (ws_ + "/out.link").c_str()), 0);
    ASSERT_EQ(symlink("a.txt", (ws_ + "/in.link").c_str()), 0);
    ASSERT_EQ(symlink(dir_.path().c_str(), (ws_ + "/up").c_str()), 0);
  }
  std::string Hash(std::vector<std::string> patterns) {
    auto r = HashFiles(ws_, "/github/workspace", patterns);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "error";
  }
  testing::ScratchDir dir_;
  std::string ws_;
};

TEST_F(HashFilesTest, HashesTheDigestsOfTheMatchedFiles) {
  EXPECT_EQ(Hash({"b.lock"}), kB);
  EXPECT_EQ(Hash({"./b.lock"}), kB);
  EXPECT_EQ(Hash({"/github/workspace/b.lock"}), kB);
  EXPECT_EQ(Hash({"**/*.txt", "!node_modules"}), kAC);
  EXPECT_EQ(Hash({"**/*.txt\n!**/node_modules/**\n# a comment"}), kAC);
  EXPECT_EQ(Hash({"dir"}), kC);  // a directory stands for everything under it
  EXPECT_EQ(Hash({"d?r/[a-c].txt"}), kC);
  EXPECT_EQ(Hash({"nothing*"}), "");
  EXPECT_EQ(Hash({"/etc/passwd"}), "");
}

TEST_F(HashFilesTest, SymlinksNeverLeadOutOfTheWorkspace) {
  EXPECT_EQ(Hash({"out.link"}), "");
  EXPECT_EQ(Hash({"up/**"}), "");  // a linked directory is not entered
  EXPECT_EQ(Hash({"in.link"}), kA);
}

TEST(HashFilesOrderTest, WalksDepthFirstWithNamesInByteOrder) {
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeDirs(dir.Sub("a")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("a/z"), "z\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("a.txt"), "x\n").ok());
  auto r = HashFiles(dir.path(), "", {"**"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kZX);  // a/z before a.txt, as @actions/glob walks
}

TEST_F(HashFilesTest, IsAnExpressionFunction) {
  ExprContext ctx;
  ctx.workspace_host = ws_;
  ctx.contexts["github"] = {{"workspace", "/github/workspace"}};
  auto v = Interpolate("key-${{ hashFiles('**/*.lock', 'nothing') }}", ctx);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, std::string("key-") + kB);
  EXPECT_FALSE(Evaluate("hashFiles()", ctx).ok());
  ctx.workspace_host.clear();
  EXPECT_EQ(Evaluate("hashFiles('b.lock')", ctx)->get<std::string>(), "");
}

}  // namespace
}  // namespace kiln::workflow
