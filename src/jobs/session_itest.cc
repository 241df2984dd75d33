// Job sessions on the real runtime (root, crun, overlayfs): jobs of one engine at once.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/fs.h"
#include "base/subprocess.h"
#include "jobs/session.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "sandboxes need root";
    state_ = dir_.Sub("state");
    testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
    auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "-q", "image", "import",
                         dir_.Sub("rootfs"), "busybox:1"});
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.status().ToString());
  }
  std::unique_ptr<Engine> NewEngine() {
    EngineOptions o;
    o.state_dir = state_;
    o.init_path = testing::KilnInitBinary();
    o.default_size = "1x1";
    return std::make_unique<Engine>(std::move(o));
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string state_;
};

// One job that writes `file` and snapshots `image`: the version it made.
Result<catalog::VersionRecord> SnapshotJob(Engine& engine, const std::string& base,
                                           const std::string& image, const std::string& file) {
  JobRequest req;
  req.name = "test/" + file;
  req.image = base;
  req.source = "session_itest " + file;
  JobSession session(engine, req);
  RETURN_IF_ERROR(session.PrepareSandbox());
  runtime::ExecSpec e;
  e.args = {"/bin/sh", "-c", "echo " + file + " > /" + file};
  ASSIGN_OR_RETURN(int code, session.sandbox().Exec(e));
  if (code != 0) return Internal("step exited " + std::to_string(code));
  SnapshotRequest snap;
  snap.image_name = image;
  RETURN_IF_ERROR(session.Snapshot(snap));
  return session.Publish();
}

TEST_F(SessionTest, ConcurrentThreeJobsSnapshottingOneImageGetThreeVersions) {
  auto engine = NewEngine();
  std::vector<Result<catalog::VersionRecord>> results(3, Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      results[i] = SnapshotJob(*engine, "busybox:1", "tools", "f" + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> versions, manifests;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    versions.insert(r->version.ToString());
    manifests.insert(r->manifest.str());
  }
  EXPECT_EQ(versions, (std::set<std::string>{"1.0.0", "1.1.0", "1.2.0"}));
  EXPECT_EQ(manifests.size(), 3u);
  // Each version holds its own job's file, and starts.
  auto cat = engine->Catalog();
  ASSERT_TRUE(cat.ok());
  for (const auto& r : results) {
    JobRequest req;
    req.name = "test/check";
    req.image = "tools:" + r->version.ToString();
    JobSession check(*engine, req);
    ASSERT_TRUE(check.PrepareSandbox().ok());
    runtime::ExecSpec e;
    std::string out;
    e.args = {"/bin/sh", "-c", "cat /f*"};
    e.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
    auto code = check.sandbox().Exec(e);
    ASSERT_TRUE(code.ok() && *code == 0);
    EXPECT_EQ(out.size(), 3u) << "version " << r->version.ToString() << " holds " << out;
  }
}

TEST_F(SessionTest, AChainPastMaxLayersIsSquashedOverItsBaseAndStillStarts) {
  EngineOptions o;
  o.state_dir = state_;
  o.init_path = testing::KilnInitBinary();
  o.default_size = "1x1";
  o.max_layers = 4;
  Engine engine(std::move(o));
  std::string base = "busybox:1";
  size_t most_layers = 0;
  for (int i = 0; i < 7; ++i) {
    auto v = SnapshotJob(engine, base, "chain", "c" + std::to_string(i));
    ASSERT_TRUE(v.ok()) << i << ": " << v.status().ToString();
    base = "chain:latest";
    auto img = engine.ResolveImage("chain:latest");
    ASSERT_TRUE(img.ok());
    most_layers = std::max(most_layers, img->loaded.manifest.layers.size());
  }
  EXPECT_LE(most_layers, 4u);
  // The last version has every job's file, and a job starts on it.
  JobRequest req;
  req.name = "test/last";
  req.image = "chain:latest";
  JobSession last(engine, req);
  ASSERT_TRUE(last.PrepareSandbox().ok());
  runtime::ExecSpec e;
  std::string out;
  e.args = {"/bin/sh", "-c", "cat /c0 /c1 /c2 /c3 /c4 /c5 /c6"};
  e.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
  auto code = last.sandbox().Exec(e);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << out;
  EXPECT_EQ(out, "c0\nc1\nc2\nc3\nc4\nc5\nc6\n");
}

}  // namespace
}  // namespace kiln::jobs
