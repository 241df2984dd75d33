// The exec agent's protocol, against the real kiln-init run as a plain host process (no crun,
// no root): what the sandbox itests then rely on.
#include "runtime/agent.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <thread>

#include "base/fs.h"
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

}  // namespace
}  // namespace kiln::runtime
