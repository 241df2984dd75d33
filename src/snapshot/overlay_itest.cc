// overlayfs mounts with deep layer stacks: the new mount API (one fsconfig "lowerdir+" per
// layer) and the mount(2) fallback for kernels before 6.8.
#include <gtest/gtest.h>

#include <thread>

#include "base/fs.h"
#include "snapshot/overlay.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

class DeepOverlay : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "overlay mounts need root";
  }
  void TearDown() override {
    for (const auto& t : mounted_) (void)Unmount(t);
  }
  // `n` lower dirs, bottom first, each with its own file "layer-I" and a shared "which" that the
  // top one wins. Long names (like the layer cache's 64-hex-digit dirs) under `parent`.
  std::vector<std::string> Layers(int n, const std::string& parent = "layers") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string d =
          dir_.Sub(parent + "/" + std::string(60, 'a' + i % 26) + "-" + std::to_string(i));
      EXPECT_TRUE(MakeDirs(d).ok());
      EXPECT_TRUE(WriteFileAtomic(d + "/layer-" + std::to_string(i), std::to_string(i)).ok());
      EXPECT_TRUE(WriteFileAtomic(d + "/which", std::to_string(i)).ok());
      out.push_back(d);
    }
    return out;
  }
  Status Mount(const std::vector<std::string>& lowers, const std::string& name,
               OverlayApi api = OverlayApi::kAuto) {
    std::string base = dir_.Sub(name);
    for (const char* d : {"/upper", "/work", "/root"}) EXPECT_TRUE(MakeDirs(base + d).ok());
    Status s = MountOverlay(lowers, base + "/upper", base + "/work", base + "/root", api);
    if (s.ok()) mounted_.push_back(base + "/root");
    return s;
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::vector<std::string> mounted_;
};

TEST_F(DeepOverlay, TwoHundredLowerDirsMountAndReadFromTheBottomAndTheTop) {
  auto lowers = Layers(200);
  Status s = Mount(lowers, "m");
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string root = dir_.Sub("m/root");
  EXPECT_EQ(*ReadFile(root + "/layer-0"), "0");
  EXPECT_EQ(*ReadFile(root + "/layer-199"), "199");
  EXPECT_EQ(*ReadFile(root + "/which"), "199");  // the last given is the top
  ASSERT_TRUE(WriteFileAtomic(root + "/new", "x").ok());
  EXPECT_TRUE(PathExists(dir_.Sub("m/upper/new")));
}

TEST_F(DeepOverlay, MoreThanOverlayfsStacksIsRefusedClearly) {
  std::vector<std::string> lowers(kMaxOverlayLowers + 1, dir_.Sub("x"));
  Status s = Mount(lowers, "m");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("501 layers"), std::string::npos) << s.message();
}

// The fallback for older kernels: what fits in a page as written, then relative to the common
// parent (45 long-named layers overflowed a page before), mounted with a cwd of its own while
// the process's stays where it was.
TEST_F(DeepOverlay, LegacyMountPassesLongStacksRelativeToTheirParent) {
  char before[4096];
  ASSERT_NE(::getcwd(before, sizeof before), nullptr);
  auto lowers = Layers(45);
  Status s = Mount(lowers, "m", OverlayApi::kLegacy);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*ReadFile(dir_.Sub("m/root/layer-0")), "0");
  EXPECT_EQ(*ReadFile(dir_.Sub("m/root/which")), "44");
  char after[4096];
  ASSERT_NE(::getcwd(after, sizeof after), nullptr);
  EXPECT_STREQ(before, after);
  auto few = Layers(3, "few");
  s = Mount(few, "short", OverlayApi::kLegacy);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*ReadFile(dir_.Sub("short/root/which")), "2");
}

TEST_F(DeepOverlay, LegacyMountSaysWhenEvenRelativeNamesDoNotFit) {
  auto lowers = Layers(120);
  Status s = Mount(lowers, "m", OverlayApi::kLegacy);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("Linux 6.8"), std::string::npos) << s.message();
}

TEST_F(DeepOverlay, ManyThreadsMountAtOnce) {
  auto lowers = Layers(50);
  std::vector<Status> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    std::string base = dir_.Sub("t" + std::to_string(i));
    for (const char* d : {"/upper", "/work", "/root"}) ASSERT_TRUE(MakeDirs(base + d).ok());
    threads.emplace_back([&, i, base] {
      results[i] = MountOverlay(lowers, base + "/upper", base + "/work", base + "/root",
                                i % 2 == 0 ? OverlayApi::kAuto : OverlayApi::kLegacy);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    std::string root = dir_.Sub("t" + std::to_string(i) + "/root");
    if (results[i].ok()) mounted_.push_back(root);
    EXPECT_TRUE(results[i].ok()) << results[i].ToString();
    EXPECT_EQ(*ReadFile(root + "/which"), "49");
  }
}

}  // namespace
}  // namespace kiln::snapshot
