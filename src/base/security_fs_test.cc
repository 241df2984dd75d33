// Attack: a job nests directories far deeper than kiln's open-files limit in its $HOME, so that
// its run dir can never be removed (RemoveTree used to hold two fds per level).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

}  // namespace
}  // namespace kiln
