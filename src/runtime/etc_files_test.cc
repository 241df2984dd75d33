// A sandbox's /etc/hosts and /etc/hostname (etc_files.h).
#include "runtime/etc_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::runtime {
namespace {

TEST(EtcFiles, HostsHasLocalhostAndTheHostnameOnLoopback) {
  std::string h = HostsFile("box");
  EXPECT_EQ(h.rfind("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", 0), 0u)
      << h;
  EXPECT_EQ(h.substr(h.size() - 14), "127.0.0.1\tbox\n");
  EXPECT_EQ(HostsFile("box", "10.1.1.1 gw"),
            "10.1.1.1 gw\n127.0.0.1\tbox\n");  // the host's, then ours
}

TEST(EtcFiles, HostnamesThatCouldAddEntriesAreRefused) {
  for (const char* ok : {"kiln", "box-1", "a.b.example", "X9"})
    EXPECT_TRUE(ValidateHostname(ok).ok()) << ok;
  for (const std::string& bad :
       std::vector<std::string>{"", "a b", "a\n1.2.3.4 evil", "a\tb", "a#b", "ü",
                                std::string(65, 'a'), std::string("a\0b", 3)}) {
    EXPECT_EQ(ValidateHostname(bad).code(), Code::kInvalidArgument) << bad;
  }
}

TEST(EtcFiles, FilesAndPlaceholdersInTheSandboxDirWithTheImagesEtcMetadata) {
  testing::ScratchDir dir;
  std::string image = dir.Sub("image"), top = dir.Sub("top"), box = dir.Sub("box");
  ASSERT_TRUE(MakeDirs(image + "/etc").ok());
  ASSERT_TRUE(MakeDirs(top + "/etc").ok());
  ASSERT_TRUE(MakeDirs(box).ok());
  ASSERT_EQ(::chmod((top + "/etc").c_str(), 0751), 0);
  timespec times[2] = {{1000, 0}, {2000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (top + "/etc").c_str(), times, 0), 0);
  SandboxSpec spec;
  spec.lower_dirs = {image, top};
  spec.hostname = "h1";
  auto etc = MakeEtcFiles(box, spec);
  ASSERT_TRUE(etc.ok()) << etc.status().ToString();
  EXPECT_EQ(etc->layer, box + "/etc-layer");
  ASSERT_EQ(etc->mounts.size(), 2u);
  EXPECT_EQ(etc->mounts[0].source, box + "/etc/hosts");
  EXPECT_EQ(etc->mounts[0].destination, "/etc/hosts");
  EXPECT_EQ(etc->mounts[1].destination, "/etc/hostname");
  EXPECT_FALSE(etc->mounts[0].read_only);
  EXPECT_EQ(*ReadFile(box + "/etc/hostname"), "h1\n");
  EXPECT_EQ(*ReadFile(box + "/etc/hosts"), HostsFile("h1"));
  EXPECT_EQ(*ReadFile(box + "/etc-layer/etc/hosts"), "");
  struct stat st {};
  ASSERT_EQ(::stat((box + "/etc-layer/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);  // the topmost layer's /etc
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
}

TEST(EtcFiles, NoneWhenTheImagesEtcIsASymlink) {
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeDirs(dir.Sub("image/private/etc")).ok());
  ASSERT_EQ(::symlink("private/etc", dir.Sub("image/etc").c_str()), 0);
  SandboxSpec spec;
  spec.lower_dirs = {dir.Sub("image")};
  auto etc = MakeEtcFiles(dir.Sub("box"), spec);
  ASSERT_TRUE(etc.ok()) << etc.status().ToString();
  EXPECT_TRUE(etc->layer.empty());
  EXPECT_TRUE(etc->mounts.empty());
}

}  // namespace
}  // namespace kiln::runtime
