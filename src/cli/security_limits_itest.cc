// Limits that always hold, end to end (issue 7, items 5 and 8): a job with no size still has
// one, a job filling the disk is stopped with a clear message, an endless output line is
// split, and many kiln processes starting sandboxes (each sweeping at start) never take each
// other's.
#include <thread>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class SecurityLimitsE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
    config_ = dir_.Sub("config.toml");
  }
  std::string config_;
};

constexpr const char* kMemoryLimit =
    "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max";

TEST_F(SecurityLimitsE2E, AJobWithoutSizeRunsAtTheDefaultSize) {
  Workflow("w.yml",
           std::string("on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
                       "      - run: test \"$(") +
               kMemoryLimit + ")\" = " + std::to_string(int64_t{8} << 30) + "\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("size 2x8"), std::string::npos) << r.out;
  ASSERT_TRUE(WriteScratchFile(config_, "default_size = \"4x16\"\n").ok());
  Workflow("w.yml",
           std::string("on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
                       "      - run: test \"$(") +
               kMemoryLimit + ")\" = " + std::to_string(int64_t{16} << 30) + "\n");
  r = Kiln({"run", "--config", config_});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

TEST_F(SecurityLimitsE2E, AJobFillingTheDiskFailsWithTheLimitAndLeavesNothing) {
  ASSERT_TRUE(WriteScratchFile(config_, "[sizes.\"2x8\"]\ndisk = \"200M\"\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: dd if=/dev/zero of=/fill bs=1M count=400\n"
           "      - run: echo later step ran\n");
  auto r = Kiln({"run", "--config", config_});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("job exceeded its disk limit of 200 MB (size 2x8)"), std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(r.out.find("| later step ran"), std::string::npos) << r.out;
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());  // the upper dir went with the sandbox
}

// $HOME and $RUNNER_TEMP are bind mounts from the state filesystem: filling them counts too.
TEST_F(SecurityLimitsE2E, AJobFillingItsHomeFailsWithTheLimit) {
  ASSERT_TRUE(WriteScratchFile(config_, "[sizes.\"2x8\"]\ndisk = \"200M\"\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    snapshot: home-fill\n"
           "    steps:\n"
           "      - run: dd if=/dev/zero of=$HOME/fill bs=1M count=400 && sync\n"
           "      - run: echo later step ran\n");
  auto r = Kiln({"run", "--config", config_});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("job exceeded its disk limit of 200 MB (size 2x8)"), std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(r.out.find("| later step ran"), std::string::npos) << r.out;
  EXPECT_NE(Kiln({"image", "inspect", "home-fill"}).code, 0);  // no version was made
}

TEST_F(SecurityLimitsE2E, AnEndlessLineIsSplitAndTheRunFinishes) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: head -c 200000000 /dev/zero | tr '\\0' a; echo; echo done-marker\n");
  std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "run"};
  SubprocessOptions o;
  o.cwd = ws_;
  size_t lines = 0, longest = 0;
  bool marker = false;
  o.on_line = [&](const std::string& l, bool, bool) {
    ++lines;
    longest = std::max(longest, l.size());
    marker |= l.find("| done-marker") != std::string::npos;
  };
  auto r = RunProcess(argv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(marker);
  EXPECT_GE(lines, 200000000u / (64 * 1024));  // kiln printed it in pieces
  EXPECT_LE(longest, 64u * 1024 + 200);        // each one piece plus its prefix
}

TEST_F(SecurityLimitsE2E, ASandboxWithoutSizeGetsTheDefault) {
  auto made = Kiln({"sandbox", "create", "debian:bookworm"});
  ASSERT_EQ(made.code, 0) << made.err;
  std::string id = made.out.substr(0, made.out.find('\n'));
  auto mem = Kiln({"sandbox", "exec", id, "--", "sh", "-c", kMemoryLimit});
  EXPECT_EQ(mem.out, std::to_string(int64_t{8} << 30) + "\n");
  EXPECT_EQ(Kiln({"sandbox", "rm", id}).code, 0);
  auto bad = Kiln({"sandbox", "create", "debian:bookworm", "--size", "3x9"});
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_NE(bad.err.find("the sizes are 1x1, 2x8, 4x16"), std::string::npos) << bad.err;
}

// 20 kiln runs, 5 at a time, each sweeping orphans as it starts while others start their
// sandboxes: all run.
TEST_F(SecurityLimitsE2E, ParallelRunsAndTheirSweepsNeverTakeEachOthersSandboxes) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps: [{run: 'echo "
           "ok'}]\n");
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 5; ++w) {
    workers.emplace_back([&] {
      while (next++ < 20) {
        auto r = Kiln({"run"});
        if (r.code != 0) {
          ++failed;
          ADD_FAILURE() << r.out << r.err;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace kiln::cli
