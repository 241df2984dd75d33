#include "base/owner_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "base/fs.h"

namespace kiln {
namespace {

Result<UniqueFd> NewDir(const std::string& parent, std::string& path) {
  return CreateOwned(
      [&](std::string& p) -> Result<UniqueFd> {
        ASSIGN_OR_RETURN(p, MakeTempDir(parent, "d-"));
        return Open(p, O_RDONLY | O_DIRECTORY);
      },
      path);
}

class OwnerLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/owner_lock_test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(OwnerLockTest, SweepRemovesWhatNobodyOwnsAndKeepsWhatALiveOwnerHolds) {
  std::string mine;
  auto fd = NewDir(dir_, mine);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ASSERT_TRUE(WriteFileAtomic(mine + "/script.sh", "echo secret").ok());
  pid_t pid = ::fork();
  if (pid == 0) {  // a kiln that dies with its dir full
    std::string theirs;
    auto held = NewDir(dir_, theirs);
    if (!held.ok() || !WriteFileAtomic(theirs + "/script.sh", "echo secret").ok()) ::_exit(1);
    ::raise(SIGKILL);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st));
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/stray-file", "x").ok());  // an old-style leftover
  ASSERT_EQ(ListDir(dir_)->size(), 3u);
  auto swept = SweepUnowned(dir_);
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->entries, 2);
  EXPECT_GT(swept->bytes, 0);
  EXPECT_EQ(*ListDir(dir_), std::vector<std::string>{mine.substr(dir_.size() + 1)});
  fd->reset();  // the owner is done: now it is unowned
  EXPECT_EQ(SweepUnowned(dir_)->entries, 1);
  EXPECT_TRUE(ListDir(dir_)->empty());
  EXPECT_EQ(SweepUnowned(dir_ + "/missing")->entries, 0);
}

}  // namespace
}  // namespace kiln
