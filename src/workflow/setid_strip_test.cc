// StripSetIdBits on a scratch tree (no root needed: the files are the test's own).
#include "workflow/setid_strip.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

TEST(SetIdStripTest, StripsFilesKeepsDirsAndDoesNotFollowLinks) {
  testing::ScratchDir dir;
  std::string root = dir.Sub("ws"), outside = dir.Sub("outside");
  ASSERT_TRUE(MakeDirs(root + "/a/b").ok());
  for (const auto& f : {root + "/suid", root + "/a/b/sgid", outside})
    ASSERT_TRUE(WriteFileAtomic(f, "x").ok());
  ASSERT_EQ(::chmod((root + "/suid").c_str(), 04711), 0);
  ASSERT_EQ(::chmod((root + "/a/b/sgid").c_str(), 02755), 0);
  ASSERT_EQ(::chmod((root + "/a").c_str(), 02775), 0);
  ASSERT_EQ(::chmod(outside.c_str(), 04755), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (root + "/link").c_str()), 0);
  ASSERT_EQ(::symlink(dir.path().c_str(), (root + "/dirlink").c_str()), 0);
  auto r = StripSetIdBits(root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stripped, 2u);
  EXPECT_EQ(ModeOf(root + "/suid"), 0711u);
  EXPECT_EQ(ModeOf(root + "/a/b/sgid"), 0755u);
  EXPECT_EQ(ModeOf(root + "/a"), 02775u);
  EXPECT_EQ(ModeOf(outside), 04755u);
}

TEST(SetIdStripTest, TooDeepIsAnErrorButTheRestIsStillWalkedAndTheDeepPartClosed) {
  testing::ScratchDir dir;
  std::string p = dir.Sub("ws");
  std::string deep = p;
  for (int i = 0; i <= kMaxSetIdDepth; ++i) deep += "/d";
  ASSERT_TRUE(MakeDirs(deep).ok());
  // Set-id files beside and after the deep tree must still lose their bits.
  for (const auto& f : {p + "/a-suid", p + "/z-suid", p + "/d/suid"}) {
    ASSERT_TRUE(WriteFileAtomic(f, "x").ok());
    ASSERT_EQ(::chmod(f.c_str(), 04755), 0);
  }
  auto r = StripSetIdBits(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than"), std::string::npos)
      << r.status().message();
  for (const auto& f : {p + "/a-suid", p + "/z-suid", p + "/d/suid"})
    EXPECT_EQ(ModeOf(f), 0755u) << f;
  // The directory at the limit is closed to everyone but its owner.
  std::string at_limit = p;
  for (int i = 0; i < kMaxSetIdDepth; ++i) at_limit += "/d";
  EXPECT_EQ(ModeOf(at_limit), 0700u);
}

TEST(SetIdStripTest, RemovesFileCapabilitiesAndDeviceNodes) {
  if (!testing::IsRoot()) GTEST_SKIP() << "setting security.capability and mknod need root";
  testing::ScratchDir dir;
  std::string root = dir.Sub("ws");
  ASSERT_TRUE(MakeDirs(root).ok());
  std::string capfile = root + "/capbash";
  ASSERT_TRUE(WriteFileAtomic(capfile, "x").ok());
  // VFS_CAP_REVISION_2, effective, permitted = CAP_SETUID|CAP_SETGID (as `setcap
  // cap_setuid,cap_setgid+ep`).
  const unsigned char cap[20] = {0x01, 0x00, 0x00, 0x02, 0xc0, 0, 0, 0, 0, 0,
                                 0,    0,    0,    0,    0,    0, 0, 0, 0, 0};
  if (::setxattr(capfile.c_str(), "security.capability", cap, sizeof cap, 0) != 0) {
    GTEST_SKIP() << "this filesystem takes no security.capability";
  }
  ASSERT_EQ(::mknod((root + "/tty").c_str(), S_IFCHR | 0666, makedev(136, 0)), 0);
  auto r = StripSetIdBits(root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->capabilities, 1u);
  EXPECT_EQ(r->devices, 1u);
  EXPECT_LT(::getxattr(capfile.c_str(), "security.capability", nullptr, 0), 0);
  EXPECT_FALSE(PathExists(root + "/tty"));
  EXPECT_TRUE(PathExists(capfile));
}

// Prints the walk's cost for a tree of 2,000 files (for the record; no time is asserted).
TEST(SetIdStripTest, WalksTwoThousandFiles) {
  testing::ScratchDir dir;
  std::string root = dir.Sub("ws");
  for (int d = 0; d < 20; ++d) {
    std::string sub = root + "/d" + std::to_string(d);
    ASSERT_TRUE(MakeDirs(sub).ok());
    for (int f = 0; f < 100; ++f) {
      int fd =
          ::open((sub + "/f" + std::to_string(f)).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      ASSERT_GE(fd, 0);
      ::close(fd);
    }
  }
  Stopwatch watch;
  auto r = StripSetIdBits(root);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries, 2020u);
  std::printf("walked %zu entries in %.1f ms\n", r->entries, watch.Seconds() * 1000);
}

}  // namespace
}  // namespace kiln::workflow
