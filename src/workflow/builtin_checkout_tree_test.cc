// actions/checkout when the workspace is the job's copy of the working tree (not --bind): the
// working tree as it is (uncommitted changes included), clean, fetch-depth, and ref/path, which
// still check out from git.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"
#include "workflow/builtin_testing.h"
#include "workflow/workspace_copy.h"

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

class CheckoutTreeTest : public ::testing::Test {
 protected:
  // The repository (the user's checkout): three commits of a.txt (one, two, three), tag v1 on
  // the first, a.txt changed to "dirty" and not committed, an untracked file, an ignored one;
  // then the job's copy of it, as PrepareWorkspace makes it.
  void SetUp() override {
    GitOut(repo(), {"init", "-q"});
    ASSERT_TRUE(WriteFileAtomic(repo() + "/.gitignore", "*.log\n").ok());
    GitOut(repo(), {"add", ".gitignore"});
    for (const char* v : {"one", "two", "three"}) {
      ASSERT_TRUE(WriteFileAtomic(repo() + "/a.txt", v).ok());
      GitOut(repo(), {"add", "a.txt"});
      GitOut(repo(), {"commit", "-q", "-m", v});
      if (std::string(v) == "one") GitOut(repo(), {"tag", "v1"});
    }
    ASSERT_TRUE(WriteFileAtomic(repo() + "/a.txt", "dirty").ok());
    ASSERT_TRUE(WriteFileAtomic(repo() + "/new.txt", "n").ok());
    ASSERT_TRUE(WriteFileAtomic(repo() + "/debug.log", "ignored").ok());
    Copy();
  }
  void Copy() {
    (void)RemoveTree(ws());
    ASSERT_TRUE(MakeWorkspaceCopy(dir_.Sub("state"), repo(), ws()).ok());
    job_.ctx.workspace_host = ws();
  }
  std::string repo() { return job_.options.workspace; }
  std::string ws() { return dir_.path() + "/job/workspace"; }
  std::string Read(const std::string& rel) {
    auto r = ReadFile(ws() + "/" + rel);
    return r.ok() ? *r : "<missing>";
  }
  testing::ScratchDir dir_;
  BuiltinJob job_{dir_.path()};
};

// As act: the job tests the working tree as it is, not HEAD.
TEST_F(CheckoutTreeTest, UncommittedChangesAreVisible) {
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  EXPECT_NE(job_.log.find("already holds the working tree"), std::string::npos) << job_.log;
  EXPECT_NE(job_.log.find("uncommitted changes included"), std::string::npos) << job_.log;
  EXPECT_EQ(Read("a.txt"), "dirty");
  EXPECT_EQ(Read("new.txt"), "n");
  EXPECT_EQ(Read("debug.log"), "<missing>");
  EXPECT_EQ(GitOut(ws(), {"status", "--porcelain"}), " M a.txt\n?? new.txt");
  EXPECT_EQ(job_.outputs["ref"], "refs/heads/main");
  EXPECT_EQ(job_.outputs["commit"], GitOut(repo(), {"rev-parse", "HEAD"}));
  EXPECT_EQ(Read("a.txt"), ReadFile(repo() + "/a.txt").value());  // the repo is untouched
}

TEST_F(CheckoutTreeTest, FetchDepthOneHasOneCommitAndZeroAll) {
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  EXPECT_EQ(GitOut(ws(), {"rev-list", "--count", "HEAD"}), "1");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"fetch-depth", "0"}}).ok()) << job_.log;
  EXPECT_EQ(GitOut(ws(), {"rev-list", "--count", "HEAD"}), "3");
  EXPECT_EQ(GitOut(ws(), {"tag"}), "v1");
  EXPECT_EQ(Read("a.txt"), "dirty");
}

TEST_F(CheckoutTreeTest, CleanFalseKeepsWhatAStepWroteAndCleanUndoesIt) {
  ASSERT_TRUE(WriteFileAtomic(ws() + "/built.txt", "b").ok());  // as an earlier step would
  ASSERT_TRUE(WriteFileAtomic(ws() + "/a.txt", "edited by a step").ok());
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"clean", "false"}}).ok()) << job_.log;
  EXPECT_NE(job_.log.find("clean: false"), std::string::npos) << job_.log;
  EXPECT_EQ(Read("built.txt"), "b");
  EXPECT_EQ(Read("a.txt"), "edited by a step");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  EXPECT_EQ(Read("built.txt"), "<missing>");
  EXPECT_EQ(Read("a.txt"), "dirty");  // the working tree's, uncommitted change included
}

TEST_F(CheckoutTreeTest, PathOrRefIsAGitCheckout) {
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "old"}, {"ref", "v1"}}).ok()) << job_.log;
  EXPECT_EQ(Read("old/a.txt"), "one");
  EXPECT_EQ(job_.outputs["ref"], "refs/tags/v1");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "head"}}).ok()) << job_.log;
  EXPECT_EQ(Read("head/a.txt"), "three");  // HEAD, without the uncommitted change
  EXPECT_EQ(Read("head/new.txt"), "<missing>");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"ref", "v1"}}).ok()) << job_.log;
  EXPECT_EQ(Read("a.txt"), "one");
  EXPECT_EQ(Read("new.txt"), "<missing>");
}

// The run's own ref (github.ref) is the working tree too, as act treats it.
TEST_F(CheckoutTreeTest, TheRunsOwnRefIsTheWorkingTree) {
  job_.ctx.expr.contexts["github"]["ref"] = "refs/heads/main";
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"ref", "refs/heads/main"}}).ok()) << job_.log;
  EXPECT_EQ(Read("a.txt"), "dirty");
}

TEST_F(CheckoutTreeTest, DetachedHeadIsCheckedOutAtItsCommit) {
  GitOut(repo(), {"checkout", "-q", "--force", "--detach", "HEAD~1"});
  ASSERT_TRUE(WriteFileAtomic(repo() + "/a.txt", "dirty").ok());
  Copy();
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  std::string head = GitOut(repo(), {"rev-parse", "HEAD"});
  EXPECT_EQ(GitOut(ws(), {"rev-parse", "HEAD"}), head);
  EXPECT_EQ(job_.outputs["commit"], head);
  EXPECT_EQ(GitOut(ws(), {"rev-list", "--count", "HEAD"}), "1");
  EXPECT_EQ(Read("a.txt"), "dirty");
}

TEST_F(CheckoutTreeTest, PlainDirectoryIsLeftAsTheCopy) {
  ASSERT_TRUE(RemoveTree(repo() + "/.git").ok());
  Copy();
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {}).ok()) << job_.log;
  EXPECT_EQ(Read("a.txt"), "dirty");
  EXPECT_FALSE(PathExists(ws() + "/.git"));
  EXPECT_TRUE(job_.outputs.empty());
}

}  // namespace
}  // namespace kiln::workflow
