// Attack: a job nests directories far deeper than kiln's open-files limit in its $HOME, so that
// its run dir can never be removed (RemoveTree used to hold two fds per level).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln {
namespace {

// Builds `depth` nested dirs "d/d/…" under `root` (deeper than PATH_MAX allows by path), with a
// file and a symlink every 100 levels.
void MakeDeepTree(const std::string& root, int depth) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < depth; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0) << i;
    if (i % 100 == 0) {
      int f = ::openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      ASSERT_GE(f, 0);
      ::close(f);
      ASSERT_EQ(::symlinkat("/etc/passwd", fd, "l"), 0);
    }
    int child = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ASSERT_GE(child, 0) << i;
    fd = child;
  }
  ::close(fd);
}

TEST(SecurityRemoveTree, ThreeThousandDeepTreeGoesUnderASmallOpenFilesLimit) {
  char tmpl[] = "/tmp/security_fs_test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  MakeDeepTree(root, 3000);
  if (::testing::Test::HasFatalFailure()) return;
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  Status removed = RemoveTree(root);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_FALSE(PathExists(root));
}

TEST(SecurityRemoveTree, WideAndDeepTreesAreRemovedWhole) {
  char tmpl[] = "/tmp/security_fs_test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  for (int i = 0; i < 20; ++i) {
    std::string sub = root + "/w" + std::to_string(i);
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    MakeDeepTree(sub, 150);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // A name the move-up step would pick must not be overwritten or confuse it.
  ASSERT_TRUE(MakeDirs(root + "/.kiln-rm-0/x").ok());
  Status removed = RemoveTree(root);
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_FALSE(PathExists(root));
}

// Drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from this process: root then meets
// file modes as kiln does when it runs without them (a non-root owner meets them anyway).
bool DropDacCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER})
    data[cap / 32].effective &= ~(1u << (cap % 32));
  return ::syscall(SYS_capset, &header, data) == 0;
}

// Attack (or just Go's module cache): a job leaves 0555 and 0000 directories in its dirs, and
// a link to a host directory; the job dir must still go, and the linked directory stay as it is.
TEST(SecurityRemoveTree, ReadOnlyDirsAreRemovedAndLinksNotFollowed) {
  char tmpl[] = "/tmp/security_fs_test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = std::string(tmpl) + "/job", outside = std::string(tmpl) + "/host";
  ASSERT_TRUE(MakeDirs(root + "/mod/sub").ok());
  ASSERT_TRUE(MakeDirs(root + "/locked").ok());
  ASSERT_TRUE(MakeDirs(outside).ok());
  for (const char* f : {"/mod/f", "/mod/sub/g", "/locked/h"})
    ASSERT_TRUE(WriteFileAtomic(root + f, "x").ok());
  ASSERT_TRUE(WriteFileAtomic(outside + "/keep", "k").ok());
  ASSERT_EQ(::symlink(outside.c_str(), (root + "/link").c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (root + "/mod/sub/link").c_str()), 0);
  ASSERT_EQ(::chmod(outside.c_str(), 0555), 0);
  for (const char* d : {"/mod/sub", "/mod"}) ASSERT_EQ(::chmod((root + d).c_str(), 0555), 0);
  ASSERT_EQ(::chmod((root + "/locked").c_str(), 0), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!DropDacCapabilities()) ::_exit(2);
    ::_exit(RemoveTree(root).ok() && !PathExists(root) ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << wstatus;
  EXPECT_FALSE(PathExists(root));
  auto kept = ReadFile(outside + "/keep");
  EXPECT_TRUE(kept.ok() && *kept == "k");
  struct stat st;
  ASSERT_EQ(::stat(outside.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);  // no chmod through the links
  ASSERT_EQ(::chmod(outside.c_str(), 0755), 0);
  EXPECT_TRUE(RemoveTree(tmpl).ok());
}

}  // namespace
}  // namespace kiln
