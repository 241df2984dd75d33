#include "workflow/workspace_copy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

class WorkspaceCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
    src_ = root_ + "/src";
    dst_ = root_ + "/dst";
    ASSERT_TRUE(MakeDirs(src_ + "/sub").ok());
  }
  void Write(const std::string& rel, const std::string& data, int mode = 0644) {
    ASSERT_TRUE(WriteFileAtomic(src_ + "/" + rel, data, mode).ok());
  }
  std::string Read(const std::string& rel) {
    auto r = ReadFile(dst_ + "/" + rel);
    return r.ok() ? *r : "<" + r.status().message() + ">";
  }
  SyncStats Sync() {
    auto s = SyncTree(src_, dst_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : SyncStats{};
  }
  testing::ScratchDir scratch_;
  std::string root_, src_, dst_;
};

TEST_F(WorkspaceCopyTest, CopiesNewChangedAndDeletedFiles) {
  Write("a.txt", "one");
  Write("sub/b.txt", "two");
  Write("gone.txt", "x");
  EXPECT_EQ(Sync().files_copied, 3);
  EXPECT_EQ(Read("sub/b.txt"), "two");
  EXPECT_EQ(Sync().files_copied, 0);  // nothing changed: nothing copied
  Write("a.txt", "one, longer");
  ASSERT_EQ(::unlink((src_ + "/gone.txt").c_str()), 0);
  Write("sub/new.txt", "3");
  SyncStats s = Sync();
  EXPECT_EQ(s.files_copied, 2);
  EXPECT_EQ(s.entries_removed, 2);  // gone.txt, and the old a.txt replaced
  EXPECT_EQ(Read("a.txt"), "one, longer");
  EXPECT_FALSE(PathExists(dst_ + "/gone.txt"));
  EXPECT_EQ(Read("sub/new.txt"), "3");
}

TEST_F(WorkspaceCopyTest, KeepsSymlinksAsLinksAndNeverFollowsThem) {
  std::string outside = root_ + "/outside";
  ASSERT_TRUE(MakeDirs(outside).ok());
  ASSERT_TRUE(WriteFileAtomic(outside + "/secret", "s").ok());
  ASSERT_EQ(::symlink(outside.c_str(), (src_ + "/out").c_str()), 0);
  ASSERT_EQ(::symlink("sub/b.txt", (src_ + "/rel").c_str()), 0);
  Write("sub/b.txt", "two");
  Sync();
  char buf[256];
  ssize_t n = ::readlink((dst_ + "/out").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), outside);
  struct stat st;
  ASSERT_EQ(::lstat((dst_ + "/out").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(Read("rel"), "two");
  // A link retargeted is changed; the target it pointed at is untouched.
  ASSERT_EQ(::unlink((src_ + "/out").c_str()), 0);
  ASSERT_EQ(::symlink("elsewhere", (src_ + "/out").c_str()), 0);
  Sync();
  n = ::readlink((dst_ + "/out").c_str(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "elsewhere");
  EXPECT_TRUE(PathExists(outside + "/secret"));
}

TEST_F(WorkspaceCopyTest, AFileReplacedByADirectoryAndBack) {
  Write("x", "file");
  Sync();
  ASSERT_EQ(::unlink((src_ + "/x").c_str()), 0);
  ASSERT_TRUE(MakeDirs(src_ + "/x").ok());
  Write("x/inner", "in");
  Sync();
  EXPECT_TRUE(IsDirectory(dst_ + "/x"));
  EXPECT_EQ(Read("x/inner"), "in");
  ASSERT_TRUE(RemoveTree(src_ + "/x").ok());
  Write("x", "file again");
  Sync();
  EXPECT_EQ(Read("x"), "file again");
}

TEST_F(WorkspaceCopyTest, PermissionsAndMtimesFollow) {
  Write("run.sh", "#!/bin/sh\n", 0755);
  ASSERT_EQ(::chmod((src_ + "/sub").c_str(), 0750), 0);
  Sync();
  struct stat s, d;
  ASSERT_EQ(::stat((dst_ + "/run.sh").c_str(), &d), 0);
  ASSERT_EQ(::stat((src_ + "/run.sh").c_str(), &s), 0);
  EXPECT_EQ(d.st_mode & 07777, 0755u);
  EXPECT_EQ(d.st_mtim.tv_sec, s.st_mtim.tv_sec);
  EXPECT_EQ(d.st_mtim.tv_nsec, s.st_mtim.tv_nsec);
  ASSERT_EQ(::stat((dst_ + "/sub").c_str(), &d), 0);
  EXPECT_EQ(d.st_mode & 07777, 0750u);
  // A mode change alone is applied without copying the data.
  ASSERT_EQ(::chmod((src_ + "/run.sh").c_str(), 0700), 0);
  EXPECT_EQ(Sync().files_copied, 0);
  ASSERT_EQ(::stat((dst_ + "/run.sh").c_str(), &d), 0);
  EXPECT_EQ(d.st_mode & 07777, 0700u);
}

TEST_F(WorkspaceCopyTest, EachCopyIsSeparateFromTheCheckoutAndTheMirror) {
  Write("a.txt", "one");
  std::string state = root_ + "/state";
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, root_ + "/job1").ok());
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, root_ + "/job2").ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/job1/a.txt", "changed by job 1").ok());
  EXPECT_EQ(*ReadFile(root_ + "/job2/a.txt"), "one");
  EXPECT_EQ(*ReadFile(src_ + "/a.txt"), "one");
  SyncStats mirror;
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, root_ + "/job3", &mirror).ok());
  EXPECT_EQ(mirror.files_copied, 0);  // the mirror was current
  EXPECT_EQ(*ReadFile(root_ + "/job3/a.txt"), "one");
  EXPECT_FALSE(MakeWorkspaceCopy(state, src_, root_ + "/job3").ok());  // exists
}

// The secret files kiln read (.secrets, a --secret-file inside the repository) are in no job's
// copy and not in the mirror; one outside the repository changes nothing.
TEST_F(WorkspaceCopyTest, SecretFilesAreLeftOut) {
  Write("a.txt", "one");
  Write(".secrets", "TOKEN=s3cret\n");
  ASSERT_TRUE(MakeDirs(src_ + "/ci").ok());
  Write("ci/my.secrets", "X=y\n");
  std::string state = root_ + "/state";
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, root_ + "/job1").ok());
  EXPECT_TRUE(PathExists(root_ + "/job1/.secrets"));  // not read as secrets: copied
  std::vector<std::string> skip = {src_ + "/.secrets", src_ + "/./ci/my.secrets",
                                   root_ + "/elsewhere.secrets"};
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, root_ + "/job2", nullptr, skip).ok());
  EXPECT_FALSE(PathExists(root_ + "/job2/.secrets"));
  EXPECT_FALSE(PathExists(root_ + "/job2/ci/my.secrets"));
  EXPECT_TRUE(PathExists(root_ + "/job2/a.txt"));
  auto mirrors = ListDir(state + "/workspaces");
  ASSERT_TRUE(mirrors.ok());
  for (const auto& m : *mirrors) {
    EXPECT_FALSE(PathExists(state + "/workspaces/" + m + "/.secrets")) << m;
    EXPECT_FALSE(PathExists(state + "/workspaces/" + m + "/tree/.secrets")) << m;
  }
}

// Two runs of one repository at once (threads here, processes in life: the lock is a flock of
// a file, so both hold): each copy is whole.
TEST_F(WorkspaceCopyTest, ConcurrentCopiesOfOneRepositoryAreEachWhole) {
  for (int i = 0; i < 200; ++i) Write("f" + std::to_string(i), std::string(i * 10, 'x'));
  std::string state = root_ + "/state";
  Status a = Status::Ok(), b = Status::Ok();
  std::thread t([&] { a = MakeWorkspaceCopy(state, src_, root_ + "/a"); });
  b = MakeWorkspaceCopy(state, src_, root_ + "/b");
  t.join();
  ASSERT_TRUE(a.ok()) << a.ToString();
  ASSERT_TRUE(b.ok()) << b.ToString();
  for (const char* d : {"/a/", "/b/"}) {
    for (int i = 0; i < 200; i += 37) {
      auto text = ReadFile(root_ + d + "f" + std::to_string(i));
      ASSERT_TRUE(text.ok()) << d << i;
      EXPECT_EQ(text->size(), static_cast<size_t>(i * 10));
    }
    EXPECT_EQ(ListDir(root_ + d)->size(), 201u);  // and sub/
  }
}

TEST_F(WorkspaceCopyTest, SkippedPathsAreLeftOutAndRemoved) {
  Write("keep.txt", "k");
  Write("sub/obj.o", "o");
  ASSERT_TRUE(MakeDirs(src_ + "/build/deep").ok());
  Write("build/deep/big", "b");
  Sync();
  ASSERT_TRUE(PathExists(dst_ + "/build/deep/big"));
  auto s = SyncTree(src_, dst_, 2, {"build", "sub/obj.o"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(PathExists(dst_ + "/build"));
  EXPECT_FALSE(PathExists(dst_ + "/sub/obj.o"));
  EXPECT_EQ(Read("keep.txt"), "k");
}

// As act (--use-gitignore, its default) and a GitHub checkout: what git ignores is not copied;
// .git is.
TEST_F(WorkspaceCopyTest, GitIgnoredFilesAreNotCopiedButDotGitIs) {
  auto git = RunProcess({"git", "init", "-q", src_});
  if (!git.ok() || git->exit_code != 0) GTEST_SKIP() << "no git";
  Write(".gitignore", "/build/\n*.o\n");
  Write("main.c", "int main;");
  Write("sub/x.o", "o");
  Write("sub/keep.c", "k");
  ASSERT_TRUE(MakeDirs(src_ + "/build").ok());
  Write("build/out", "big");
  EXPECT_EQ(GitIgnored(src_), (std::set<std::string>{"build", "sub/x.o"}));
  std::string state = root_ + "/state";
  ASSERT_TRUE(MakeWorkspaceCopy(state, src_, dst_).ok());
  EXPECT_EQ(Read("main.c"), "int main;");
  EXPECT_TRUE(IsDirectory(dst_ + "/.git"));
  EXPECT_FALSE(PathExists(dst_ + "/build"));
  EXPECT_FALSE(PathExists(dst_ + "/sub/x.o"));
  EXPECT_EQ(Read("sub/keep.c"), "k");
  EXPECT_TRUE(GitIgnored(root_).empty());  // no work tree: nothing skipped
}

}  // namespace
}  // namespace kiln::workflow
