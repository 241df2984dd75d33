// Crash safety: kill -9 kiln at random moments of a snapshot, many times. Afterwards every
// catalogue version is complete (all blobs present and verified), no number is used twice, the
// next snapshot still works and gets a new number, and no killed capture's partial blob is left
// in oci/ingest.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <set>
#include <thread>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

using CrashE2E = KilnE2E;

pid_t Spawn(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

TEST_F(CrashE2E, KilledSnapshotsLeaveNoHalfImage) {
  ImportDebian({"debian:bookworm"});
  auto made = Kiln({"sandbox", "create", "debian:bookworm"});
  ASSERT_EQ(made.code, 0) << made.err;
  std::string id = made.out.substr(0, made.out.find('\n'));
  // A diff big enough that a capture takes a while: 48 MB of incompressible data, 2000 files.
  ASSERT_EQ(Kiln({"sandbox", "exec", id, "--", "sh", "-c",
                  "mkdir -p /data/small && head -c 50331648 /dev/urandom > /data/big && "
                  "for i in $(seq 2000); do echo $i > /data/small/$i; done"})
                .code,
            0);
  std::mt19937 rng(42);
  int killed = 0, finished = 0;
  for (int round = 0; round < 12; ++round) {
    pid_t pid = Spawn(
        {testing::KilnBinary(), "--state-dir", state_, "-q", "sandbox", "snapshot", id, "crashy"});
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 900)(rng)));
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    (WIFSIGNALED(st) ? killed : finished)++;
  }
  EXPECT_GT(killed, 0);
  auto last = Kiln({"sandbox", "snapshot", id, "crashy"});
  ASSERT_EQ(last.code, 0) << last.err;
  auto ingest = ListDir(state_ + "/oci/ingest");
  ASSERT_TRUE(ingest.ok());
  EXPECT_TRUE(ingest->empty()) << ingest->size() << " partial blobs left by the killed captures";
  std::set<std::string> seen;
  std::string newest;
  for (const auto& v : Versions("crashy")) {
    std::string tag = v["tag"];
    EXPECT_TRUE(seen.insert(tag).second) << "version " << tag << " used twice";
    // Complete: export copies (and verifies) every blob of the version.
    auto out = Kiln({"image", "export", "crashy:" + tag, dir_.Sub("export-" + tag)});
    EXPECT_EQ(out.code, 0) << "crashy:" << tag << " is incomplete: " << out.err;
    if (v["tags"].size() > 1) newest = tag;
  }
  EXPECT_NE(last.out.find("crashy:" + newest), std::string::npos) << last.out;
  // Every capture that finished recorded one version; a killed one recorded one or none.
  EXPECT_GE(seen.size(), static_cast<size_t>(finished + 1));
  EXPECT_LE(seen.size(), static_cast<size_t>(finished + killed + 1));
  // The sandbox runs on, thawed, after all of it.
  EXPECT_EQ(Kiln({"sandbox", "exec", id, "--", "true"}).code, 0);
  EXPECT_EQ(Kiln({"sandbox", "rm", id}).code, 0);
  std::printf("rounds: %d killed, %d finished before the kill; %zu versions recorded\n", killed,
              finished, seen.size());
}

}  // namespace
}  // namespace kiln::cli
