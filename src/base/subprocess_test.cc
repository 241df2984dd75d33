#include "base/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "base/fd.h"
#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln {
namespace {

TEST(SubprocessTest, CapturesOutputAndExitCode) {
  auto r = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 7"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(SubprocessTest, StreamsLinesIncludingUnterminatedLast) {
  std::vector<std::string> lines;
  SubprocessOptions opts;
  opts.on_line = [&](const std::string& l, bool is_err, bool) {
    lines.push_back((is_err ? "E:" : "O:") + l);
  };
  auto r = RunProcess({"sh", "-c", "printf 'a\\nb\\n'; printf c"}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"O:a", "O:b", "O:c"}));
}

TEST(SubprocessTest, PiecesOfALongLineSayTheyAreUnfinished) {
  std::vector<std::pair<size_t, bool>> pieces;
  SubprocessOptions opts;
  opts.on_line = [&](const std::string& l, bool, bool unfinished) {
    pieces.emplace_back(l.size(), unfinished);
  };
  auto r = RunProcess({"sh", "-c", "head -c 150000 /dev/zero | tr '\\0' x; echo; printf y"}, opts);
  ASSERT_TRUE(r.ok());
  std::vector<std::pair<size_t, bool>> want = {{kMaxOutputLine, true},
                                               {kMaxOutputLine, true},
                                               {150000 - 2 * kMaxOutputLine, false},
                                               {1, false}};
  EXPECT_EQ(pieces, want);
}

TEST(SubprocessTest, StdinEnvAndCwd) {
  SubprocessOptions opts;
  opts.stdin_data = "hello";
  opts.env = std::vector<std::string>{"FOO=bar", "PATH=/usr/bin:/bin"};
  opts.cwd = "/";
  auto r = RunProcess({"sh", "-c", "cat; echo \" $FOO $(pwd)\""}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "hello bar /\n");
}

TEST(SubprocessTest, ExecFdRunsThatProgramUnderArgvZerosName) {
  auto sh = Open("/bin/sh", O_RDONLY);
  auto null = Open("/dev/null", O_RDONLY);
  ASSERT_TRUE(sh.ok() && null.ok());
  SubprocessOptions o;
  o.exec_fd = sh->get();
  auto r = RunProcess({"no-such-program", "-c", "echo \"$0\"; exit 4"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->out, "no-such-program\n");
  // exec_fd sitting on fd 3, where pass_fd goes: it is moved aside first.
  bool moved = sh->get() != 3;
  int saved = moved ? ::fcntl(3, F_DUPFD_CLOEXEC, 10) : -1;  // -1 when fd 3 is free
  if (moved) {
    ASSERT_EQ(::dup3(sh->get(), 3, O_CLOEXEC), 3);
  }
  o.exec_fd = 3;
  o.pass_fd = null->get();
  r = RunProcess({"sh", "-c", "readlink /proc/$$/fd/3"}, o);
  if (moved && saved >= 0) {
    ::dup3(saved, 3, O_CLOEXEC);
    ::close(saved);
  } else if (moved) {
    ::close(3);
  }
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "/dev/null\n");
  // A stdio fd is refused; an fd that does not execute falls back to argv[0].
  o = {};
  o.exec_fd = 1;
  EXPECT_EQ(RunProcess({"true"}, o).status().code(), Code::kInvalidArgument);
  o.exec_fd = null->get();
  r = RunProcess({"sh", "-c", "echo fallback"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "fallback\n");
}

TEST(SubprocessTest, MissingProgramIsNotFound) {
  auto r = RunProcess({"/nonexistent/program"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST(SubprocessTest, SignalDeathIs128PlusSignal) {
  auto r = RunProcess({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 128 + 15);
}

TEST(SubprocessTest, RunCheckedReportsStderr) {
  auto r = RunChecked({"sh", "-c", "echo boom >&2; exit 3"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exited with 3: boom"), std::string::npos);
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(SubprocessTest, SpawnDetachedReturnsAtOnceAndTheProgramIsNotOurChild) {
  testing::ScratchDir dir;
  std::string out = dir.Sub("ppid");
  ASSERT_TRUE(SpawnDetached({"/bin/sh", "-c",
                             "sleep 0.3; echo $PPID > " + out + ".tmp; mv " + out + ".tmp " + out})
                  .ok());
  EXPECT_FALSE(PathExists(out));  // not waited for
  for (int i = 0; i < 300 && !PathExists(out); ++i) ::usleep(10000);
  auto ppid = ReadFile(out);
  ASSERT_TRUE(ppid.ok());
  EXPECT_NE(std::atoi(ppid->c_str()), ::getpid());
  EXPECT_EQ(SpawnDetached({"/no/such/program"}).code(), Code::kNotFound);
}

// In a forked subreaper S: a parent P runs `sleep 30` with die_with_parent, then P is killed.
// The orphan is re-parented to S, which reaps it: killed by SIGKILL at once, not after 30 s.
// S exits 0 when that is so.
[[noreturn]] void DieWithParentProbe(bool die_with_parent) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  int fds[2];
  if (::pipe(fds) != 0) ::_exit(10);
  pid_t parent = ::fork();
  if (parent == 0) {
    SubprocessOptions opts;
    opts.die_with_parent = die_with_parent;
    opts.on_start = [&](int child) {
      (void)!::write(fds[1], &child, sizeof child);
      ::pause();  // killed here
    };
    (void)RunProcess({"sleep", "30"}, opts);
    ::_exit(11);
  }
  int child = 0;
  if (::read(fds[0], &child, sizeof child) != sizeof child) ::_exit(12);
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  int status = 0;
  if (::waitpid(child, &status, 0) != child) ::_exit(13);
  ::_exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 14);
}

TEST(SubprocessTest, DieWithParentKillsTheChildWhenItsParentDies) {
  pid_t probe = ::fork();
  ASSERT_GE(probe, 0);
  if (probe == 0) DieWithParentProbe(true);
  int status = 0;
  ASSERT_EQ(::waitpid(probe, &status, 0), probe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace kiln
