// kiln-snapshot in a persistent job sandbox (the front doors' kind), on the real runtime: a step
// makes a catalogue version of the sandbox, and a later sandbox starts from it.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "jobs/busybox_state_test.h"
#include "jobs/pack_service.h"
#include "jobs/sandboxes.h"
#include "jobs/snapshot_handler.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

class SnapshotHandlerTest : public BusyboxStateTest {
 protected:
  void SetUp() override {
    BusyboxStateTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    engine_ = NewEngine();
  }
  void TearDown() override {
    for (const auto& id : made_) (void)RemoveSandbox(*engine_, id);
  }
  std::string NewSandbox(const std::string& image) {
    auto id = CreateSandbox(*engine_, image, "", "");
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return "";
    made_.push_back(*id);
    return *id;
  }
  // Runs `sh -c script` in sandbox `id` with the handler: {exit code, "O:"/"E:" lines}.
  std::pair<int, std::vector<std::string>> Run(const std::string& id, const std::string& script) {
    std::vector<std::string> lines;
    auto rt = engine_->Runtime();
    EXPECT_TRUE(rt.ok());
    auto box = (*rt)->Attach(id);
    EXPECT_TRUE(box.ok()) << box.status().ToString();
    if (!box.ok()) return {-1, lines};
    runtime::ExecSpec e;
    e.args = {"/bin/sh", "-c", script};
    e.on_line = [&](const std::string& l, bool err, bool) {
      lines.push_back((err ? "E:" : "O:") + l);
    };
    e.on_snapshot = SnapshotHandler(*engine_, id, [&](const std::string& l) { log_.push_back(l); });
    auto code = (*box)->Exec(e);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return {code.ok() ? *code : -1, lines};
  }
  std::unique_ptr<Engine> engine_;
  std::vector<std::string> made_;
  std::vector<std::string> log_;
};

TEST_F(SnapshotHandlerTest, AStepMakesAVersionThatALaterSandboxStartsFrom) {
  std::string id = NewSandbox("busybox:1");
  ASSERT_FALSE(id.empty());
  auto [code, lines] = Run(id,
                           "echo made-in-step > /made && echo tool > /usr/local/bin/tool &&"
                           " kiln-snapshot mytool && echo after > /after");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines, std::vector<std::string>{"O:mytool:1.0.0"});
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_NE(log_[1].find("mytool:1.0.0 (latest)"), std::string::npos) << log_[1];
  engine_->packer().WaitIdle();
  auto cat = engine_->Catalog();
  ASSERT_TRUE(cat.ok());
  auto v = (*cat)->Resolve("mytool", "1.0.0");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->latest);
  // The captured layer (the image's top layer dir) holds the step's files, not the command.
  auto image = engine_->ResolveImage("mytool:latest");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  auto resolver = engine_->Resolver();
  ASSERT_TRUE(resolver.ok());
  auto prepared = (*resolver)->Prepare("mytool:latest", [](const std::string&) {});
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  std::string top = prepared->lower_dirs.back();
  EXPECT_EQ(*ReadFile(top + "/made"), "made-in-step\n");
  EXPECT_TRUE(PathExists(top + "/usr/local/bin/tool"));
  EXPECT_FALSE(PathExists(top + "/usr/local/bin/kiln-snapshot"));
  EXPECT_FALSE(PathExists(top + "/after"));  // written after the capture
  // A new sandbox from it sees the file, and has the command again (its own mount).
  std::string next = NewSandbox("mytool:latest");
  ASSERT_FALSE(next.empty());
  auto [code2, lines2] = Run(next,
                             "cat /made /usr/local/bin/tool; test -e /after || echo no-after;"
                             " kiln-snapshot mytool --version 3.*");
  EXPECT_EQ(code2, 0);
  EXPECT_EQ(lines2,
            (std::vector<std::string>{"O:made-in-step", "O:tool", "O:no-after", "O:mytool:3.0.0"}));
}

TEST_F(SnapshotHandlerTest, ARefusedSnapshotFailsTheCommandAndTheStepGoesOn) {
  std::string id = NewSandbox("busybox:1");
  ASSERT_FALSE(id.empty());
  auto [code, lines] =
      Run(id, "kiln-snapshot ../etc; echo \"exit $?\"; kiln-snapshot ok --version x");
  EXPECT_EQ(code, 1);
  // stdout and stderr are two streams: order holds within each only.
  std::vector<std::string> out, err;
  for (const auto& l : lines) (l[0] == 'O' ? out : err).push_back(l.substr(2));
  EXPECT_EQ(out, std::vector<std::string>{"exit 1"});
  ASSERT_EQ(err.size(), 2u);
  EXPECT_EQ(err[0].rfind("kiln-snapshot: ", 0), 0u) << err[0];
  EXPECT_NE(err[1].find("must be <major>.*"), std::string::npos) << err[1];
  EXPECT_TRUE(log_.empty());
  auto cat = engine_->Catalog();
  ASSERT_TRUE(cat.ok());
  EXPECT_FALSE((*cat)->Resolve("ok", "latest").ok());
}

// `kiln run`'s jobs: the sandbox of a job session (not persistent) becomes a version mid-job,
// and the job goes on in it.
TEST_F(SnapshotHandlerTest, AJobSessionsStepMakesAVersionAndTheJobGoesOn) {
  JobRequest req;
  req.name = "test/session";
  req.image = "busybox:1";
  req.source = "snapshot_handler_itest";
  req.log = [&](const std::string& l) { log_.push_back(l); };
  JobSession session(*engine_, req);
  ASSERT_TRUE(session.PrepareSandbox().ok());
  std::vector<std::string> lines;
  runtime::ExecSpec e;
  e.args = {"/bin/sh", "-c",
            "echo one > /one && kiln-snapshot stepped --version 2.* && echo two > /two &&"
            " kiln-snapshot stepped"};
  e.on_line = [&](const std::string& l, bool err, bool) {
    lines.push_back((err ? "E:" : "O:") + l);
  };
  e.on_snapshot = SessionSnapshotHandler(session);
  auto code = session.sandbox().Exec(e);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:stepped:2.0.0", "O:stepped:2.1.0"}));
  ASSERT_TRUE(session.TearDown().ok());
  JobRequest check;
  check.name = "test/check";
  check.image = "stepped:2.0.0";
  JobSession later(*engine_, check);
  ASSERT_TRUE(later.PrepareSandbox().ok());
  lines.clear();
  e.args = {"/bin/sh", "-c", "cat /one; test -e /two || echo no-two"};
  e.on_snapshot = nullptr;
  ASSERT_EQ(*later.sandbox().Exec(e), 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:one", "O:no-two"}));
}

}  // namespace
}  // namespace kiln::jobs
