// The engine's rules that need no sandbox: sizes, and the one SandboxSpec a job and the warm
// pool share.
#include "jobs/engine.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/fs.h"
#include "images/pending.h"
#include "jobs/sandbox_plan.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

Engine MakeEngine(const testing::ScratchDir& dir, const std::string& default_size = "2x8") {
  EngineOptions o;
  o.state_dir = dir.Sub("state");
  o.default_size = default_size;
  o.disk["4x16"] = int64_t{7} << 30;
  return Engine(std::move(o));
}

TEST(EngineSizeTest, DefaultSizeUnlessTheImageWasMadeOnALargerOne) {
  testing::ScratchDir dir;
  Engine e = MakeEngine(dir);
  EXPECT_EQ(e.SizeFor("", "")->name, "2x8");
  EXPECT_EQ(e.SizeFor("", "1x1")->name, "2x8");
  EXPECT_EQ(e.SizeFor("", "8x32")->name, "8x32");
  EXPECT_EQ(e.SizeFor("", "bogus")->name, "2x8");  // an unparsable record is ignored
}

TEST(EngineSizeTest, ARequestedSizeWinsUnlessTooSmallForTheImage) {
  testing::ScratchDir dir;
  Engine e = MakeEngine(dir);
  EXPECT_EQ(e.SizeFor("1x1", "")->name, "1x1");
  EXPECT_EQ(e.SizeFor("16x64", "4x16")->name, "16x64");
  auto small = e.SizeFor("1x1", "4x16");
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(small.status().message().find("generated on a 4x16 runner; a 1x1 runner is too small"),
            std::string::npos);
  EXPECT_EQ(e.SizeFor("3x9", "").status().code(), Code::kInvalidArgument);
}

TEST(EngineSizeTest, TheConfigsDiskFigureApplies) {
  testing::ScratchDir dir;
  Engine e = MakeEngine(dir, "4x16");
  EXPECT_EQ(e.SizeFor("", "")->disk_bytes, int64_t{7} << 30);
  auto table = runtime::ParseSize("2x8");
  EXPECT_EQ(e.SizeFor("2x8", "")->disk_bytes, table->disk_bytes);
}

TEST(SandboxPlanTest, AJobAndThePoolGetTheSamePoolKey) {
  images::Image image;
  image.ref = "debian:bookworm";
  image.lower_dirs = {"/l/a", "/l/b"};
  image.loaded.config.env = {"PATH=/bin"};
  SandboxRequest job;
  job.image = &image;
  job.size = *runtime::ParseSize("2x8");
  job.name = "ci/build";
  job.mounts = {{"/ws", "/github/workspace", false}};
  job.disk_dirs = {"/runs/x/temp"};
  SandboxRequest pool = job;
  pool.name = "";
  pool.mounts.clear();
  pool.disk_dirs.clear();
  runtime::SandboxSpec a = MakeSandboxSpec(job), b = MakeSandboxSpec(pool);
  EXPECT_EQ(runtime::PoolKey(a), runtime::PoolKey(b));
  EXPECT_EQ(b.name, "debian:bookworm 2x8");
  SandboxRequest bigger = pool;
  bigger.size = *runtime::ParseSize("4x16");
  EXPECT_NE(runtime::PoolKey(MakeSandboxSpec(bigger)), runtime::PoolKey(b));
}

TEST(SandboxPlanTest, TheOriginRoundTrips) {
  images::Image image;
  image.ref = "toolbox:1.2.0";
  image.loaded.descriptor.digest = *oci::Digest::Parse("sha256:" + std::string(64, 'a'));
  SandboxRequest r;
  r.image = &image;
  r.size = *runtime::ParseSize("1x1");
  SandboxOrigin o = OriginOf(MakeSandboxSpec(r));
  EXPECT_EQ(o.image, "toolbox:1.2.0");
  EXPECT_EQ(o.base_digest, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(o.size, "1x1");
  EXPECT_EQ(OriginOf(runtime::SandboxSpec{}).base_digest, "");
}

// A pending version left from another boot is deleted before any caller of Resolver() can
// resolve it: while the first caller's sweep is held up (the test holds the version's dir lock,
// which MakeWhole takes), no caller gets the resolver. The wait below only bounds how long the
// test looks for such an early return; a pass never depends on timing.
TEST(EngineSweepTest, NoResolverBeforeTheSweepOfPendingVersions) {
  testing::ScratchDir dir;
  Engine e = MakeEngine(dir);
  auto cat = e.Catalog();
  auto layers = e.Layers();
  ASSERT_TRUE(cat.ok() && layers.ok());
  catalog::NewVersion whole;
  whole.manifest = oci::Digest::FromData("1.0.0");
  ASSERT_TRUE((*cat)->AddVersion("tools", {}, whole).ok());
  images::PendingSpec spec;
  spec.base = whole.manifest;
  spec.layer_key = snapshot::LayerCache::NewKey();
  spec.boot_id = "00000000-0000-0000-0000-000000000000";
  std::string key_dir = (*layers)->DirFor(spec.layer_key);
  ASSERT_TRUE(MakeDirs(key_dir).ok());
  catalog::NewVersion pending;
  pending.pending = images::SerializePending(spec);
  ASSERT_TRUE((*cat)->AddVersion("tools", {}, pending).ok());
  auto held = Open(key_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(::flock(held->get(), LOCK_EX), 0);

  std::atomic<int> returned{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 2; ++i) {
    callers.emplace_back([&] {
      EXPECT_TRUE(e.Resolver().ok());
      ++returned;
    });
  }
  for (int i = 0; i < 50 && returned == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(returned, 0) << "a caller got the resolver before the sweep ended";
  ASSERT_EQ(::flock(held->get(), LOCK_UN), 0);
  for (auto& t : callers) t.join();
  EXPECT_EQ(returned, 2);
  EXPECT_EQ((*cat)->List("tools")->size(), 1u);  // the other boot's version is gone
}

}  // namespace
}  // namespace kiln::jobs

namespace kiln::jobs {
namespace {

TEST(MergeEnvTest, ReplacesByKeyAndAppendsTheRest) {
  EXPECT_EQ(MergeEnv({"PATH=/bin", "HOME=/root", "PATHX=1"}, {"PATH=/opt/bin", "NEW=a=b"}),
            (std::vector<std::string>{"PATH=/opt/bin", "HOME=/root", "PATHX=1", "NEW=a=b"}));
}

}  // namespace
}  // namespace kiln::jobs
