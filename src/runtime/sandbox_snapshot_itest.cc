// crun sandboxes: the kiln-snapshot command (snapshot_command.h) and its channel to kiln
// (ExecSpec::on_snapshot, snapshot_channel.h).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {
namespace {

class KilnSnapshotCommand : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
  }
  // Runs `sh -c script` with `handler` (none when null): {exit code, "O:"/"E:" lines}.
  std::pair<int, std::vector<std::string>> Run(
      Sandbox& s, const std::string& script,
      std::function<Result<std::string>(const SnapshotAsk&)> handler) {
    std::vector<std::string> lines;
    ExecSpec e;
    e.args = {"/bin/sh", "-c", script};
    e.on_line = [&](const std::string& l, bool err, bool) {
      lines.push_back((err ? "E:" : "O:") + l);
    };
    e.on_snapshot = std::move(handler);
    auto code = s.Exec(e);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return {code.ok() ? *code : -1, lines};
  }
  std::function<Result<std::string>(const SnapshotAsk&)> Answer(Result<std::string> answer) {
    return [this, answer](const SnapshotAsk& a) {
      asked_.push_back(a);
      return answer;
    };
  }
  std::vector<SnapshotAsk> asked_;
};

TEST_F(KilnSnapshotCommand, AskingRunsTheHandlerAndPrintsItsAnswer) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Run(*s, "command -v kiln-snapshot && kiln-snapshot foo --version 2.*",
                           Answer(std::string("foo:2.0.0")));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:/usr/local/bin/kiln-snapshot", "O:foo:2.0.0"}));
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0].name, "foo");
  EXPECT_EQ(asked_[0].version, "2.*");
}

TEST_F(KilnSnapshotCommand, AFailedCaptureFailsTheStepWithTheReasonOnStderr) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Run(*s, "kiln-snapshot foo", Answer(InvalidArgument("bad name")));
  EXPECT_EQ(code, 1);
  EXPECT_EQ(lines, std::vector<std::string>{"E:kiln-snapshot: bad name"});
}

TEST_F(KilnSnapshotCommand, WithoutAHandlerItIsNotAvailableAndBadUsageExits2) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Run(*s, "kiln-snapshot foo", nullptr);
  EXPECT_EQ(code, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("E:kiln-snapshot: not available in this sandbox (", 0), 0u) << lines[0];
  EXPECT_EQ(Run(*s, "kiln-snapshot", Answer(std::string("x"))).first, 2);
  EXPECT_EQ(Run(*s, "kiln-snapshot a b", Answer(std::string("x"))).first, 2);
  EXPECT_EQ(Run(*s, "kiln-snapshot --version 2.*", Answer(std::string("x"))).first, 2);
  EXPECT_TRUE(asked_.empty());
  // Through `crun exec` (no exec agent): no channel either, handler or not.
  std::string sock = env_.state_dir + "/sandboxes/" + s->id() + "/agent.sock";
  ASSERT_EQ(::unlink(sock.c_str()), 0);
  auto [fallback, why] = Run(*s, "echo $PPID; kiln-snapshot foo", Answer(std::string("x")));
  EXPECT_EQ(fallback, 1);
  ASSERT_EQ(why.size(), 2u);
  std::sort(why.begin(), why.end());  // two streams: no order between them
  EXPECT_EQ(why[0].rfind("E:kiln-snapshot: not available in this sandbox (", 0), 0u) << why[0];
  EXPECT_EQ(why[1], "O:0");  // started by crun exec, from outside the sandbox
  EXPECT_TRUE(asked_.empty());
}

// What a hostile step can send by hand: garbage, a message past 4 KiB, a valid request without
// an answer socket (not carried out), a flood whose answers it never reads. Each gets an error,
// the handler is never called, and Exec returns as usual.
TEST_F(KilnSnapshotCommand, HostileRequestsGetAnErrorAndExecReturns) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] =
      Run(*s,
          "one() { dd bs=4096 count=1 2>/dev/null <&$KILN_SNAPSHOT_FD; echo; };"
          "printf garbage >&$KILN_SNAPSHOT_FD; one;"
          "dd if=/dev/zero bs=100000 count=1 2>/dev/null >&$KILN_SNAPSHOT_FD; one;"
          "printf 'snapshot\\0foo\\0\\0' >&$KILN_SNAPSHOT_FD; one;"
          "i=0; while [ $i -lt 300 ]; do printf x >&$KILN_SNAPSHOT_FD; i=$((i+1)); done;"
          "echo flooded",
          Answer(std::string("x")));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "O:error malformed request: a field is not NUL-terminated",
                "O:error request longer than 4096 bytes",
                "O:error request without an answer socket (run kiln-snapshot)", "O:flooded"}));
  EXPECT_TRUE(asked_.empty());
}

// The command and its mount target never reach the upper dir (so no capture holds them), even
// when a step writes beside it; it cannot be changed or removed.
TEST_F(KilnSnapshotCommand, TheCommandIsReadOnlyAndNeverInTheUpperDir) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Run(*s,
                           "echo x > /usr/local/bin/kiln-snapshot || echo refused;"
                           "rm -f /usr/local/bin/kiln-snapshot || echo kept;"
                           "stat -c %a /usr/local/bin",
                           nullptr);
  EXPECT_EQ(code, 0);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "O:refused"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "O:kept"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "O:755"), lines.end());
  EXPECT_FALSE(PathExists(s->UpperDir() + "/usr"));
  EXPECT_EQ(Run(*s, "echo tool > /usr/local/bin/tool && ls /usr/local/bin", nullptr).second,
            (std::vector<std::string>{"O:kiln-snapshot", "O:tool"}));
  EXPECT_TRUE(PathExists(s->UpperDir() + "/usr/local/bin/tool"));
  struct stat st {};
  EXPECT_NE(::lstat((s->UpperDir() + "/usr/local/bin/kiln-snapshot").c_str(), &st), 0);
}

// An image's own /usr/local/bin keeps its mode and owner; an image whose /usr/local is a symlink
// keeps it (a directory over it would hide its target) and has no kiln-snapshot.
TEST_F(KilnSnapshotCommand, TheImagesDirectoriesAreKeptAndASymlinkIsNotHidden) {
  std::string layer = dir_.Sub("usr-layer");
  ASSERT_TRUE(MakeDirs(layer + "/usr/local/bin").ok());
  ASSERT_EQ(::chmod((layer + "/usr/local/bin").c_str(), 0775), 0);
  ASSERT_EQ(::chown((layer + "/usr/local/bin").c_str(), 5, 6), 0);
  SandboxSpec spec = BaseSpec();
  spec.lower_dirs.push_back(layer);
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Run(**s, "stat -c '%a %u %g' /usr/local/bin", nullptr).second,
            std::vector<std::string>{"O:775 5 6"});

  std::string linked = dir_.Sub("link-layer");
  ASSERT_TRUE(MakeDirs(linked + "/usr/opt-local").ok());
  ASSERT_EQ(::symlink("opt-local", (linked + "/usr/local").c_str()), 0);
  spec = BaseSpec();
  spec.lower_dirs.push_back(linked);
  auto l = env_.runtime->Create(spec);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  auto [code, lines] =
      Run(**l, "readlink /usr/local; command -v kiln-snapshot || echo none", nullptr);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:opt-local", "O:none"}));
}

}  // namespace
}  // namespace kiln::runtime
