// The exec agent's protocol, against the real kiln-init run as a plain host process (no crun,
// no root): what the sandbox itests then rely on.
#include "runtime/agent.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "base/fs.h"
#include "runtime/snapshot_channel.h"
#include "testing/test_env.h"

namespace kiln::runtime {
namespace {

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Deeper than sun_path's 108 bytes: the socket is bound through its directory's fd.
    std::string dir = scratch_.Sub(std::string(60, 'd') + "/" + std::string(60, 'e'));
    ASSERT_TRUE(MakeDirs(dir).ok());
    socket_ = dir + "/agent.sock";
    auto listen = AgentListen(socket_);
    ASSERT_TRUE(listen.ok()) << listen.status().ToString();
    std::string init = testing::KilnInitBinary();
    init_ = ::fork();
    if (init_ == 0) {
      ::dup2(listen->get(), 3);
      ::execl(init.c_str(), init.c_str(), "--agent", "3", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  void TearDown() override {
    if (init_ > 0) {
      ::kill(init_, SIGTERM);
      int status = 0;
      ::waitpid(init_, &status, 0);
      EXPECT_TRUE(killed_ || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
  }
  // Runs `script` with sh; returns the exit code and "O:"/"E:"-prefixed lines.
  std::pair<Result<int>, std::vector<std::string>> Sh(
      const std::string& script, std::vector<std::string> env = {"PATH=/usr/bin:/bin"},
      const std::string& cwd = "/") {
    std::vector<std::string> lines;
    AgentExecSpec spec{
        {"sh", "-c", script}, std::move(env), cwd, [&](const std::string& l, bool err, bool) {
          lines.push_back((err ? "E:" : "O:") + l);
        }};
    return {AgentExec(socket_, spec), lines};
  }

  testing::ScratchDir scratch_;
  std::string socket_;
  pid_t init_ = -1;
  bool killed_ = false;
};

TEST_F(AgentTest, RunsACommandWithItsEnvCwdOutputAndExitCode) {
  auto [code, lines] =
      Sh("echo \"$FOO\"; pwd; echo oops >&2; exit 3", {"PATH=/usr/bin:/bin", "FOO=a b"}, "/tmp");
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:a b", "O:/tmp", "E:oops"}));
}

TEST_F(AgentTest, ASignalledCommandReports128PlusTheSignal) {
  EXPECT_EQ(*Sh("kill -9 $$").first, 128 + 9);
  EXPECT_EQ(*Sh("kill -INT $$").first, 128 + SIGINT);
}

TEST_F(AgentTest, ACommandThatCannotStartReports127OrABadCwdWithItsReason) {
  AgentExecSpec missing{{"/no/such/tool"}, {"PATH=/bin"}, "/", nullptr};
  std::vector<std::string> err;
  missing.on_line = [&](const std::string& l, bool, bool) { err.push_back(l); };
  EXPECT_EQ(*AgentExec(socket_, missing), 127);
  ASSERT_EQ(err.size(), 1u);
  EXPECT_NE(err[0].find("kiln-init: exec /no/such/tool: No such file or directory"),
            std::string::npos);
  auto [code, lines] = Sh("true", {"PATH=/bin"}, "/no/such/dir");
  EXPECT_EQ(*code, 127);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("chdir /no/such/dir"), std::string::npos);
}

TEST_F(AgentTest, TheCommandHoldsNoFdButItsStdio) {
  auto [code, lines] = Sh(testing::kListOwnFds);
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"O:0", "O:1", "O:2"}));
}

TEST_F(AgentTest, ConcurrentCommandsGetTheirOwnOutputAndCodes) {
  std::vector<std::thread> threads;
  std::vector<std::pair<int, std::vector<std::string>>> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto [code, lines] = Sh("sleep 0." + std::to_string(i % 3) + "; echo " + std::to_string(i) +
                              "; exit " + std::to_string(i));
      got[i] = {code.ok() ? *code : -1, lines};
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(got[i].first, i);
    EXPECT_EQ(got[i].second, std::vector<std::string>{"O:" + std::to_string(i)});
  }
}

TEST_F(AgentTest, NoAgentIsNotFoundAndAnAgentThatDiesIsUnavailable) {
  auto none = AgentExec(scratch_.Sub("nothing.sock"), {{"true"}, {}, "/", nullptr});
  EXPECT_EQ(none.status().code(), Code::kNotFound) << none.status().ToString();
  std::string started = scratch_.Sub("started");
  std::thread killer([&] {  // kills kiln-init once the command runs, however slow the machine
    for (int i = 0; i < 2000 && !PathExists(started); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(init_, SIGKILL);
  });
  killed_ = true;
  auto [code, lines] = Sh("touch " + started + "; exec sleep 10 >/dev/null 2>&1");
  killer.join();
  EXPECT_EQ(code.status().code(), Code::kUnavailable) << code.status().ToString();
}

// kiln-snapshot: the same kiln-init binary, run under that name, asks over the exec's channel.
class AgentSnapshotTest : public AgentTest {
 protected:
  void SetUp() override {
    AgentTest::SetUp();
    bin_ = scratch_.Sub("bin");
    ASSERT_TRUE(MakeDirs(bin_).ok());
    ASSERT_EQ(::symlink(testing::KilnInitBinary().c_str(), (bin_ + "/kiln-snapshot").c_str()), 0);
  }
  // Runs `script` with `handler` as on_snapshot (none when null).
  std::pair<Result<int>, std::vector<std::string>> Snap(const std::string& script,
                                                        SnapshotHandler handler,
                                                        const std::string& shell = "sh") {
    std::vector<std::string> lines;
    AgentExecSpec spec{
        {shell, "-c", script},
        {"PATH=" + bin_ + ":/usr/bin:/bin"},
        "/",
        [&](const std::string& l, bool err, bool) { lines.push_back((err ? "E:" : "O:") + l); },
        std::move(handler)};
    return {AgentExec(socket_, spec), lines};
  }
  std::string bin_;
  std::vector<SnapshotAsk> asked_;
  SnapshotHandler Recorder(Result<std::string> answer) {
    return [this, answer](const SnapshotAsk& a) {
      asked_.push_back(a);
      return answer;
    };
  }
};

TEST_F(AgentSnapshotTest, AnAskReachesTheHandlerAndItsAnswerIsPrinted) {
  auto [code, lines] =
      Snap("kiln-snapshot foo --version 2.* && echo \"fd $KILN_SNAPSHOT_FD\"; echo \"code $?\"",
           Recorder(std::string("foo:2.0.0")));
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(lines, (std::vector<std::string>{"O:foo:2.0.0", "O:fd 1000", "O:code 0"}));
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0].name, "foo");
  EXPECT_EQ(asked_[0].version, "2.*");
  // Twice in one step, --version=SPEC, and no version (the next minor).
  asked_.clear();
  auto [code2, lines2] = Snap("kiln-snapshot a --version=3.* >/dev/null && kiln-snapshot b",
                              Recorder(std::string("x")));
  EXPECT_EQ(*code2, 0);
  ASSERT_EQ(asked_.size(), 2u);
  EXPECT_EQ(asked_[0].version, "3.*");
  EXPECT_EQ(asked_[1].name, "b");
  EXPECT_EQ(asked_[1].version, "");
}

TEST_F(AgentSnapshotTest, AFailedCaptureFailsTheCommandWithTheReason) {
  auto [code, lines] = Snap("kiln-snapshot foo", Recorder(Internal("the disk is full")));
  EXPECT_EQ(*code, 1);
  EXPECT_EQ(lines, std::vector<std::string>{"E:kiln-snapshot: the disk is full"});
}

TEST_F(AgentSnapshotTest, WithoutAHandlerItIsNotAvailable) {
  auto [code, lines] =
      Snap("KILN_SNAPSHOT_FD=1 kiln-snapshot foo; echo \"$KILN_SNAPSHOT_FD\"", nullptr);
  EXPECT_EQ(*code, 0);
  ASSERT_EQ(lines.size(), 2u);
  // stdout and stderr are separate pipes: their lines may come in either order ("E:" < "O:").
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines[0].rfind("E:kiln-snapshot: not available in this sandbox (", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1], "O:");  // kiln-init leaves no stale KILN_SNAPSHOT_FD
  EXPECT_EQ(*Snap("kiln-snapshot foo", nullptr).first, 1);
  // Nor for a command whose $KILN_SNAPSHOT_FD names something else than the channel.
  auto [closed, lines2] = Snap("KILN_SNAPSHOT_FD=0 kiln-snapshot foo", Recorder(std::string("x")));
  EXPECT_EQ(*closed, 1);
  EXPECT_TRUE(asked_.empty());
}

TEST_F(AgentSnapshotTest, BadUsageExits2) {
  for (const char* bad : {"kiln-snapshot", "kiln-snapshot a b", "kiln-snapshot --bogus a",
                          "kiln-snapshot a --version"}) {
    auto [code, lines] = Snap(bad, Recorder(std::string("x")));
    EXPECT_EQ(*code, 2) << bad;
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("E:kiln-snapshot: ", 0), 0u) << lines[0];
  }
  EXPECT_EQ(*Snap("kiln-snapshot " + std::string(300, 'a'), Recorder(std::string("x"))).first, 2);
  EXPECT_EQ(*Snap("kiln-snapshot --help", nullptr).first, 0);
  EXPECT_TRUE(asked_.empty());
}

// A process that closed its stdout and stderr may still ask: kiln serves the channel until the
// command's exit code comes.
TEST_F(AgentSnapshotTest, AnAskAfterTheOutputClosedIsServed) {
  std::string out = scratch_.Sub("late");
  auto [code, lines] = Snap("exec >/dev/null 2>&1; kiln-snapshot late > " + out,
                            Recorder(std::string("late:1.0.0")));
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(*ReadFile(out), "late:1.0.0\n");
}

// A process the step left behind asks after the exec ended: kiln has closed the channel.
TEST_F(AgentSnapshotTest, AnAskAfterTheExecEndedIsNotServed) {
  std::string go = scratch_.Sub("go"), out = scratch_.Sub("left");
  auto [code, lines] =
      Snap("(while [ ! -e " + go + " ]; do sleep 0.02; done; kiln-snapshot late > " + out +
               " 2>&1; echo \"code $?\" >> " + out + ") >/dev/null 2>&1 &",
           Recorder(std::string("late:1.0.0")));
  EXPECT_EQ(*code, 0);
  ASSERT_TRUE(WriteFileAtomic(go, "").ok());
  auto left = [&] { return ReadFile(out).ok() ? *ReadFile(out) : ""; };
  for (int i = 0; i < 1000 && left().find("code") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(left(),
            "kiln-snapshot: not available in this sandbox (kiln no longer listens: the step that "
            "started this process has ended)\ncode 1\n");
  EXPECT_TRUE(asked_.empty());
}

// Hand-made requests: garbage, an over-long message, a flood that nobody reads the answers of,
// a valid request without an answer socket (never carried out). Each gets an error on the
// channel; kiln neither blocks nor calls the handler, and the exec ends normally.
TEST_F(AgentSnapshotTest, HostileRequestsGetAnErrorAndTheExecEnds) {
  auto [code, lines] = Snap(
      "printf garbage >&1000; dd bs=4096 count=1 2>/dev/null <&1000; echo;"
      "dd if=/dev/zero bs=9000 count=1 2>/dev/null >&1000; dd bs=4096 count=1 2>/dev/null <&1000; "
      "echo;"
      "printf 'snapshot\\0foo\\0\\0' >&1000; dd bs=4096 count=1 2>/dev/null <&1000; echo;"
      "i=0; while [ $i -lt 200 ]; do printf x >&1000; i=$((i+1)); done; echo flooded",
      Recorder(std::string("x")), "bash");  // dash takes no fd past 9
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "O:error malformed request: a field is not NUL-terminated",
                "O:error request longer than 4096 bytes",
                "O:error request without an answer socket (run kiln-snapshot)", "O:flooded"}));
  EXPECT_TRUE(asked_.empty());
}

}  // namespace
}  // namespace kiln::runtime
