// Attacks on the built-in actions/checkout, which runs on the host as kiln's user on a workspace
// the job writes: a target path whose component a step made a link to a host directory, and a
// .git a step gave hooks, an fsmonitor and a filter driver (git must never run in it).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"
#include "workflow/builtin_testing.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {
namespace {

using testing_support::BuiltinJob;

void Git(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main",
      "-C",  dir};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunChecked(argv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

class SecurityCheckoutTest : public ::testing::Test {
 protected:
  // The repository: one commit of a.txt and sub/b.txt. The host dir a job must never reach
  // holds one file.
  void SetUp() override {
    Git(repo(), {"init", "-q"});
    ASSERT_TRUE(MakeDirs(repo() + "/sub").ok());
    ASSERT_TRUE(WriteFileAtomic(repo() + "/a.txt", "a").ok());
    ASSERT_TRUE(WriteFileAtomic(repo() + "/sub/b.txt", "b").ok());
    Git(repo(), {"add", "a.txt", "sub/b.txt"});
    Git(repo(), {"commit", "-q", "-m", "one"});
    ASSERT_TRUE(MakeDirs(host()).ok());
    ASSERT_TRUE(WriteFileAtomic(host() + "/keep", "k").ok());
  }
  // The job's copy of the repository as its workspace (not --bind).
  void UseCopy() {
    std::string copy = dir_.Sub("job/workspace");
    ASSERT_TRUE(MakeWorkspaceCopy(dir_.Sub("state"), repo(), copy).ok());
    job_.ctx.workspace_host = copy;
  }
  std::string repo() { return job_.options.workspace; }
  std::string ws() { return job_.ctx.workspace_host; }
  std::string host() { return dir_.Sub("host"); }
  static std::string Read(const std::string& path) {
    auto r = ReadFile(path);
    return r.ok() ? *r : "<missing>";
  }
  static std::vector<std::string> List(const std::string& dir) {
    auto r = ListDir(dir);
    return r.ok() ? *r : std::vector<std::string>{"<error>"};
  }
  void ExpectHostUntouched() {
    EXPECT_EQ(List(host()), std::vector<std::string>{"keep"});
    EXPECT_EQ(Read(host() + "/keep"), "k");
  }
  // Plants, as an earlier step could, a post-checkout hook, an fsmonitor and a filter driver
  // for every file in `git_dir`; each would create its marker in the scratch dir when run.
  void PlantHooks(const std::string& git_dir) {
    std::string script = "#!/bin/sh\ntouch " + dir_.Sub("marker-") + "$(basename \"$0\")\ncat\n";
    ASSERT_TRUE(MakeDirs(git_dir + "/hooks").ok());
    ASSERT_TRUE(MakeDirs(git_dir + "/info").ok());
    for (const char* name :
         {"hooks/post-checkout", "hooks/reference-transaction", "fsmonitor", "smudge"})
      ASSERT_TRUE(WriteFileAtomic(git_dir + "/" + name, script, 0755).ok());
    auto config = ReadFile(git_dir + "/config");
    ASSERT_TRUE(config.ok());
    ASSERT_TRUE(WriteFileAtomic(git_dir + "/config", *config + "[core]\n\tfsmonitor = " + git_dir +
                                                         "/fsmonitor\n[filter \"x\"]\n" +
                                                         "\tsmudge = " + git_dir + "/smudge\n")
                    .ok());
    ASSERT_TRUE(WriteFileAtomic(git_dir + "/info/attributes", "* filter=x\n").ok());
  }
  void ExpectNoMarker() {
    for (const auto& n : List(dir_.path()))
      EXPECT_NE(n.rfind("marker-", 0), 0u) << n << " ran on the host\n" << job_.log;
  }
  testing::ScratchDir dir_;
  BuiltinJob job_{dir_.path()};
};

TEST_F(SecurityCheckoutTest, ALinkedTargetIsRefusedAndTheHostDirUntouched) {
  for (bool copy : {false, true}) {
    if (copy) UseCopy();
    ASSERT_EQ(::symlink(host().c_str(), (ws() + "/out").c_str()), 0);
    Status s = job_.Run("actions/checkout@v4", {{"path", "out"}});
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.ToString();
    // A link further up the path: nothing is made below the host dir either.
    s = job_.Run("actions/checkout@v4", {{"path", "out/deeper"}, {"clean", "false"}});
    EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.ToString();
    ExpectHostUntouched();
    EXPECT_EQ(::unlink((ws() + "/out").c_str()), 0);
  }
}

// A link inside the target (where the checkout has a directory) is replaced, not written through.
TEST_F(SecurityCheckoutTest, ALinkInsideTheTargetIsReplacedNotFollowed) {
  for (const char* clean : {"false", "true"}) {
    ASSERT_TRUE(MakeDirs(ws() + "/out").ok());
    ASSERT_EQ(::symlink(host().c_str(), (ws() + "/out/sub").c_str()), 0);
    ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}, {"clean", clean}}).ok())
        << job_.log;
    struct stat st;
    ASSERT_EQ(::lstat((ws() + "/out/sub").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << clean;
    EXPECT_EQ(Read(ws() + "/out/sub/b.txt"), "b");
    ExpectHostUntouched();
    ASSERT_TRUE(RemoveTree(ws() + "/out").ok());
  }
}

TEST_F(SecurityCheckoutTest, HooksInATargetsGitNeverRun) {
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}}).ok()) << job_.log;
  PlantHooks(ws() + "/out/.git");
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"path", "out"}, {"clean", "false"}}).ok())
      << job_.log;
  ExpectNoMarker();
  EXPECT_FALSE(PathExists(ws() + "/out/.git/hooks/post-checkout"));  // .git is kiln's again
  EXPECT_EQ(Read(ws() + "/out/a.txt"), "a");
}

TEST_F(SecurityCheckoutTest, HooksInTheWorkspacesGitNeverRun) {
  UseCopy();
  PlantHooks(ws() + "/.git");
  ASSERT_TRUE(WriteFileAtomic(ws() + "/.gitattributes", "* filter=x\n").ok());
  ASSERT_TRUE(job_.Run("actions/checkout@v4", {{"clean", "false"}}).ok()) << job_.log;
  ExpectNoMarker();
  EXPECT_FALSE(PathExists(ws() + "/.git/fsmonitor"));
  EXPECT_EQ(job_.outputs["ref"], "refs/heads/main");
}

}  // namespace
}  // namespace kiln::workflow
