// Attacks through the file-command files (GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT): a step
// replaces them, or their directory, by links to host paths, a FIFO or /dev/zero. kiln must
// read nothing of the host, create nothing outside the job's temp dir, and not hang.
#include <sys/stat.h>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class SecurityFileCommands : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
    host_file_ = dir_.Sub("host-only");
    ASSERT_TRUE(
        WriteFileAtomic(host_file_, "LEAKED=host-only-content\n/host/only/path\n", 0600).ok());
  }
  // Runs one job of `steps` (YAML list items, 6-space indented) and returns kiln's result.
  KilnResult RunSteps(const std::string& steps) {
    Workflow("w.yml",
             "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n" + steps);
    return Kiln({"run"});
  }
  std::string host_file_;
};

TEST_F(SecurityFileCommands, ShadowLinkedAsGithubPathDoesNotReachPath) {
  auto r = RunSteps(
      "      - run: ln -sf /etc/shadow \"$GITHUB_PATH\"\n"
      "      - if: always()\n        run: echo \"path=$PATH\"\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("GITHUB_PATH is a symbolic link"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("root:"), std::string::npos) << r.out;  // /etc/shadow's first line
  EXPECT_NE(r.out.find("| path=/usr/local/sbin"), std::string::npos) << r.out;
}

TEST_F(SecurityFileCommands, HostFileLinkedAsGithubEnvDoesNotReachEnv) {
  auto r = RunSteps("      - run: ln -sf " + host_file_ +
                    " \"$GITHUB_ENV\"\n"
                    "      - if: always()\n        run: echo \"leak=$LEAKED\"\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("GITHUB_ENV is a symbolic link"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("host-only-content"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| leak=\n"), std::string::npos) << r.out;
}

// A FIFO blocked kiln's open() for ever (no writer), past any timeout-minutes.
TEST_F(SecurityFileCommands, FifoAsGithubOutputFailsTheStepAtOnce) {
  auto r = RunSteps(
      "      - timeout-minutes: 1\n        run: rm -f \"$GITHUB_OUTPUT\"; mkfifo "
      "\"$GITHUB_OUTPUT\"\n"
      "      - if: always()\n        run: echo after\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("GITHUB_OUTPUT is not a regular file"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| after"), std::string::npos) << r.out;
}

// /dev/zero read to its end ran kiln out of memory; a big regular file is capped at 1 MiB.
TEST_F(SecurityFileCommands, DevZeroAndHugeFilesAreRefused) {
  auto r = RunSteps(
      "      - run: ln -sf /dev/zero \"$GITHUB_ENV\"\n"
      "      - if: always()\n        run: head -c 2000000 /dev/zero > \"$GITHUB_OUTPUT\"\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("GITHUB_ENV is a symbolic link"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GITHUB_OUTPUT is larger than 1 MiB"), std::string::npos) << r.out;
}

TEST_F(SecurityFileCommands, CommandDirReplacedByLinkCreatesNothingOnTheHost) {
  std::string host_dir = dir_.Sub("host-dir");
  ASSERT_TRUE(MakeDirs(host_dir).ok());
  auto r =
      RunSteps("      - run: rm -rf \"$RUNNER_TEMP/_runner_file_commands\"; ln -s " + host_dir +
               " \"$RUNNER_TEMP/_runner_file_commands\"\n"
               "      - if: always()\n        run: echo \"x=1\" >> \"$GITHUB_ENV\"\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("_runner_file_commands is not a directory: a step replaced it"),
            std::string::npos)
      << r.out;
  auto left = ListDir(host_dir);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << (*left)[0];
}

}  // namespace
}  // namespace kiln::cli
