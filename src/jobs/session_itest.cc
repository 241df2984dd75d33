// Job sessions on the real runtime (root, crun, overlayfs): jobs of one engine at once.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <thread>

#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "jobs/busybox_state_test.h"
#include "jobs/pack_service.h"
#include "jobs/session.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

class SessionTest : public BusyboxStateTest {
 protected:
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
  engine->packer().WaitIdle();
  auto cat = engine->Catalog();
  ASSERT_TRUE(cat.ok());
  std::set<std::string> versions, manifests;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    versions.insert(r->version.ToString());
    auto whole = (*cat)->Resolve("tools", r->version.ToString());
    ASSERT_TRUE(whole.ok());
    EXPECT_FALSE(whole->is_pending());
    manifests.insert(whole->manifest.str());
  }
  EXPECT_EQ(versions, (std::set<std::string>{"1.0.0", "1.1.0", "1.2.0"}));
  EXPECT_EQ(manifests.size(), 3u);
  // Each version holds its own job's file, and starts.
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

// The snapshot action's captures (CaptureNow) chain as Snapshot's do: bounded by max_layers.
TEST_F(SessionTest, AChainOfActionSnapshotsPastMaxLayersIsSquashed) {
  EngineOptions o;
  o.state_dir = state_;
  o.init_path = testing::KilnInitBinary();
  o.default_size = "1x1";
  o.max_layers = 3;
  Engine engine(std::move(o));
  std::string base = "busybox:1";
  size_t most_layers = 0;
  for (int i = 0; i < 5; ++i) {
    JobRequest req;
    req.name = "test/now" + std::to_string(i);
    req.image = base;
    req.source = "session_itest now";
    JobSession session(engine, req);
    ASSERT_TRUE(session.PrepareSandbox().ok());
    runtime::ExecSpec e;
    e.args = {"/bin/sh", "-c", "echo n" + std::to_string(i) + " > /n" + std::to_string(i)};
    auto code = session.sandbox().Exec(e);
    ASSERT_TRUE(code.ok() && *code == 0);
    auto img = session.CaptureNow("nowchain:latest");
    ASSERT_TRUE(img.ok()) << i << ": " << img.status().ToString();
    most_layers = std::max(most_layers, img->manifest.layers.size());
    base = "nowchain:latest";
  }
  EXPECT_LE(most_layers, 3u);
  JobRequest req;
  req.name = "test/nowlast";
  req.image = base;
  JobSession last(engine, req);
  ASSERT_TRUE(last.PrepareSandbox().ok());
  runtime::ExecSpec e;
  std::string out;
  e.args = {"/bin/sh", "-c", "cat /n0 /n1 /n2 /n3 /n4"};
  e.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
  auto code = last.sandbox().Exec(e);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << out;
  EXPECT_EQ(out, "n0\nn1\nn2\nn3\nn4\n");
}

Result<int> Exec(JobSession& s, const std::string& script, std::string* out = nullptr) {
  runtime::ExecSpec e;
  e.args = {"/bin/sh", "-c", script};
  e.on_line = [&](const std::string& l, bool, bool) {
    if (out != nullptr) *out += l + "\n";
  };
  return s.sandbox().Exec(e);
}

// The quick way: a job's 200 MiB diff is usable by the next job before its blob exists (the
// packer is held, so "before" does not depend on timing); the blob comes after, and the image
// exported then is whole (skopeo reads it).
TEST_F(SessionTest, ANewVersionIsUsableBeforeItsBlobIsWritten) {
  auto engine = NewEngine();
  engine->packer().Hold(true);
  JobRequest req;
  req.name = "test/big";
  req.image = "busybox:1";
  req.source = "session_itest big";
  JobSession big(*engine, req);
  ASSERT_TRUE(big.PrepareSandbox().ok());
  auto made = Exec(big, "head -c 209715200 /dev/urandom > /big && sha256sum /big > /big.sum");
  ASSERT_TRUE(made.ok() && *made == 0);
  SnapshotRequest snap;
  snap.image_name = "big";
  ASSERT_TRUE(big.Snapshot(snap).ok());
  auto v = big.Publish();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->is_pending());
  EXPECT_TRUE(v->manifest.empty());
  auto cat = engine->Catalog();
  ASSERT_TRUE(cat.ok());

  JobRequest next_req;
  next_req.name = "test/next";
  next_req.image = "big:latest";
  JobSession next(*engine, next_req);
  ASSERT_TRUE(next.PrepareSandbox().ok());
  EXPECT_TRUE(next.image().version && next.image().version->is_pending());
  auto checked = Exec(next, "sha256sum -c /big.sum");
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(*checked, 0);
  auto still = (*cat)->Resolve("big", "latest");
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE(still->is_pending()) << "the blob was written before the next job ran";

  engine->packer().Hold(false);
  engine->packer().WaitIdle();
  auto whole = (*cat)->Resolve("big", "latest");
  ASSERT_TRUE(whole.ok());
  ASSERT_FALSE(whole->is_pending());
  auto store = engine->Store();
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load(whole->manifest.str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->manifest.layers.size(), 2u);
  EXPECT_GT(loaded->manifest.layers[1].size, 200 << 20);  // random bytes: not compressible
  // The job that runs on it meanwhile is undisturbed.
  auto again = Exec(next, "sha256sum -c /big.sum");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  ASSERT_TRUE(next.TearDown().ok());

  std::string archive = dir_.Sub("big.tar");
  auto exported = RunProcess(
      {testing::KilnBinary(), "--state-dir", state_, "image", "export", "big:1.0.0", archive});
  ASSERT_TRUE(exported.ok() && exported->exit_code == 0)
      << (exported.ok() ? exported->err : exported.status().ToString());
  auto inspect = RunProcess({"skopeo", "inspect", "oci-archive:" + archive + ":1.0.0"});
  ASSERT_TRUE(inspect.ok() && inspect->exit_code == 0)
      << (inspect.ok() ? inspect->err : inspect.status().ToString());
  auto j = ParseJson(inspect->out);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["Digest"].get<std::string>(), whole->manifest.str());
  EXPECT_EQ((*j)["Layers"].size(), 2u);
}

// What needs the blobs does not wait for the packer's turn: `kiln image inspect` (another
// process) of a pending version writes them itself, and the version is whole after.
TEST_F(SessionTest, InspectingAPendingVersionMakesItWhole) {
  auto engine = NewEngine();
  engine->packer().Hold(true);
  auto v = SnapshotJob(*engine, "busybox:1", "seen", "s");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_pending());
  auto inspect = RunProcess(
      {testing::KilnBinary(), "--state-dir", state_, "image", "inspect", "seen", "--json"});
  ASSERT_TRUE(inspect.ok() && inspect->exit_code == 0)
      << (inspect.ok() ? inspect->err : inspect.status().ToString());
  auto j = ParseJson(inspect->out);
  ASSERT_TRUE(j.ok());
  auto cat = engine->Catalog();
  ASSERT_TRUE(cat.ok());
  auto whole = (*cat)->Resolve("seen", "latest");
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->is_pending());
  EXPECT_EQ((*j)["descriptor"]["digest"].get<std::string>(), whole->manifest.str());
  EXPECT_EQ((*j)["manifest"]["layers"].size(), 2u);
  engine->packer().Hold(false);
  engine->packer().WaitIdle();  // finds it whole: nothing written twice
  auto after = (*cat)->Resolve("seen", "latest");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->manifest, whole->manifest);
}

// A kiln killed after the version was usable and before its blob was written: the next start
// writes the blob from the layer cache, and the version is whole and runs.
TEST_F(SessionTest, AVersionLeftPendingByAKilledKilnIsMadeWholeOnTheNextStart) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ready[0]);
    auto engine = NewEngine();
    engine->packer().Hold(true);
    auto v = SnapshotJob(*engine, "busybox:1", "crash", "left");
    char c = v.ok() && v->is_pending() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    for (;;) ::pause();  // killed here: the version usable, its blob not written
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_EQ(c, 'y');
  {
    auto cat = catalog::OpenCatalog(JoinPath(state_, "kiln.db"));
    ASSERT_TRUE(cat.ok());
    auto left = (*cat)->Resolve("crash", "latest");
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->is_pending());
  }
  auto engine = NewEngine();
  ASSERT_TRUE(engine->Resolver().ok());  // the startup sweep
  engine->packer().WaitIdle();
  auto cat = engine->Catalog();
  ASSERT_TRUE(cat.ok());
  auto whole = (*cat)->Resolve("crash", "latest");
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->is_pending());
  auto store = engine->Store();
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load(whole->manifest.str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->manifest.layers.size(), 2u);
  JobRequest req;
  req.name = "test/after";
  req.image = "crash:latest";
  JobSession after(*engine, req);
  ASSERT_TRUE(after.PrepareSandbox().ok());
  std::string out;
  auto code = Exec(after, "cat /left", &out);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(out, "left\n");
}

}  // namespace
}  // namespace kiln::jobs
