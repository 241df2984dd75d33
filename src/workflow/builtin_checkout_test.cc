// actions/checkout, built in: git and plain sources, path, clean, fetch-depth, ref. Here the
// workspace is the repository itself (as with --bind); builtin_checkout_tree_test.cc covers
// the job's own copy of the working tree (the default).
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"
#include "workflow/builtin_testing.h"

namespace kiln::workflow {
namespace {

using testing_support::BuiltinJob;

std::string GitOut(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main",
      "-C",  dir};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunChecked(argv);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::string out = r.ok() ? r->out : "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class CheckoutTest : public ::testing::Test {
 protected:
  // The workspace as a git repository of three commits (a.txt: one, two, three), tag v1 on
  // the first, and an untracked file.
  void MakeRepo() {
    GitOut(ws(), {"init", "-q"});
    for (const char* v : {"one", "two", "three"}) {
      ASSERT_TRUE(WriteFileAtomic(ws() + "/a.txt", v).ok());
      GitOut(ws(), {"add", "a.txt"});
      GitOut(ws(), {"commit", "-q", "-m", v});
      if (std::string(v) == "one") GitOut(ws(), {"tag", "v1"});
    }
    ASSERT_TRUE(WriteFileAtomic(ws() + "/untracked.txt", "u").ok());
  }
  std::string ws() { return job_.options.workspace; }
  std::string Read(const std::string& rel) {
    auto r = ReadFile(ws() + "/" + rel);
    return r.ok() ? *r : "<missing>";
  }
  testing::ScratchDir dir_;
  BuiltinJob job_{dir_.path()};
};

TEST_F(CheckoutTest, ShallowCloneOfHeadIntoPath) {
  MakeRepo();
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}}).ok()) << job_.log;
  EXPECT_EQ(Read("out/a.txt"), "three");
  EXPECT_EQ(Read("out/untracked.txt"), "<missing>");
  EXPECT_EQ(GitOut(ws() + "/out", {"rev-list", "--count", "HEAD"}), "1");
  EXPECT_EQ(job_.outputs["ref"], "refs/heads/main");
  EXPECT_EQ(job_.outputs["commit"], GitOut(ws(), {"rev-parse", "HEAD"}));
  EXPECT_EQ(GitOut(ws() + "/out", {"rev-parse", "--abbrev-ref", "HEAD"}), "main");
}

TEST_F(CheckoutTest, FetchDepthZeroHasFullHistory) {
  MakeRepo();
  ASSERT_TRUE(job_.Run("actions/checkout@v3",
                       {{"path", "out"}, {"fetch-depth", "0"}, {"submodules", "recursive"}})
                  .ok())
      << job_.log;
  EXPECT_NE(job_.log.find("warning: actions/checkout: submodules"), std::string::npos);
  EXPECT_EQ(GitOut(ws() + "/out", {"rev-list", "--count", "HEAD"}), "3");
  EXPECT_EQ(GitOut(ws() + "/out", {"tag"}), "v1");
}

TEST_F(CheckoutTest, RefTagAndCommit) {
  MakeRepo();
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "t"}, {"ref", "v1"}}).ok()) << job_.log;
  EXPECT_EQ(Read("t/a.txt"), "one");
  EXPECT_EQ(job_.outputs["ref"], "refs/tags/v1");
  std::string second = GitOut(ws(), {"rev-parse", "HEAD~1"});
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "c"}, {"ref", second}}).ok()) << job_.log;
  EXPECT_EQ(Read("c/a.txt"), "two");
  EXPECT_EQ(job_.outputs["commit"], second);
  Status bad = job_.Run("actions/checkout@v4", {{"path", "x"}, {"ref", "nope"}});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("\"nope\""), std::string::npos) << bad.message();
}

TEST_F(CheckoutTest, CleanEmptiesTheTargetUnlessFalse) {
  MakeRepo();
  ASSERT_TRUE(MakeDirs(ws() + "/out").ok());
  ASSERT_TRUE(WriteFileAtomic(ws() + "/out/stale", "s").ok());
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}, {"clean", "false"}}).ok());
  EXPECT_EQ(Read("out/stale"), "s");
  EXPECT_EQ(Read("out/a.txt"), "three");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}}).ok()) << job_.log;
  EXPECT_EQ(Read("out/stale"), "<missing>");
  EXPECT_EQ(Read("out/a.txt"), "three");
}

TEST_F(CheckoutTest, PlainDirectoryIsCopied) {
  ASSERT_TRUE(MakeDirs(ws() + "/src").ok());
  ASSERT_TRUE(WriteFileAtomic(ws() + "/src/f", "plain").ok());
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "copy"}}).ok()) << job_.log;
  EXPECT_EQ(Read("copy/src/f"), "plain");
  EXPECT_FALSE(PathExists(ws() + "/copy/copy"));
  EXPECT_FALSE(job_.Run("actions/checkout@v4", {{"path", "c2"}, {"ref", "main"}}).ok());
}

TEST_F(CheckoutTest, SameRepoInPlaceIsLeftAlone) {
  MakeRepo();
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  EXPECT_EQ(Read("untracked.txt"), "u");
  EXPECT_NE(job_.log.find("left as it is"), std::string::npos) << job_.log;
  EXPECT_EQ(job_.outputs["commit"], GitOut(ws(), {"rev-parse", "HEAD"}));
}

TEST_F(CheckoutTest, KilnsGitDirDoesNotLeakIntoGit) {
  MakeRepo();
  ::setenv("GIT_DIR", "/nonexistent", 1);  // as in a git hook that runs kiln
  Status s = job_.Run("actions/checkout@v4", {{"path", "out"}});
  ::unsetenv("GIT_DIR");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out/a.txt"), "three");
}

TEST_F(CheckoutTest, BadInputsAreClearErrors) {
  MakeRepo();
  Status other = job_.Run("actions/checkout@v4", {{"repository", "someone/else"}});
  EXPECT_NE(other.message().find("no network checkout"), std::string::npos) << other.message();
  Status out = job_.Run("actions/checkout@v4", {{"path", "../up"}});
  EXPECT_NE(out.message().find("leaves"), std::string::npos) << out.message();
  Status home = job_.Run("actions/checkout@v4", {{"path", "~/x"}});
  EXPECT_NE(home.message().find("outside the workspace"), std::string::npos) << home.message();
  EXPECT_FALSE(job_.Run("actions/checkout@v4", {{"fetch-depth", "-1"}}).ok());
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST(BuiltinTable, MatchesOwnerRepoAnyRefCaseInsensitive) {
  ASSERT_NE(FindBuiltinAction("Actions/Checkout@main"), nullptr);
  EXPECT_EQ(FindBuiltinAction("actions/checkout@v4")->name, "actions/checkout");
  EXPECT_EQ(FindBuiltinAction("actions/cache/save@v4")->name, "actions/cache/save");
  EXPECT_TRUE(FindBuiltinAction("actions/cache@v4")->post != nullptr);
  EXPECT_TRUE(FindBuiltinAction("actions/cache/restore@v4")->post == nullptr);
  EXPECT_NE(FindBuiltinAction("actions/upload-artifact@v3"), nullptr);
  EXPECT_NE(FindBuiltinAction("actions/download-artifact@v4"), nullptr);
  EXPECT_EQ(FindBuiltinAction("actions/setup-node@v4"), nullptr);
  EXPECT_EQ(FindBuiltinAction("actions/checkout-extra@v4"), nullptr);
}

}  // namespace
}  // namespace kiln::workflow
