// Limits that always hold (issue 7, items 5 and 8), attacked from inside a busybox sandbox: a
// job filling the disk, a job printing one endless line, the host's pids, and sweeps racing
// sandboxes as they start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/fs.h"
#include "runtime/cgroups.h"
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {
namespace {

class SecurityLimits : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
  }
  std::unique_ptr<Sandbox> WithDisk(int64_t disk_bytes) {
    SandboxSpec spec = BaseSpec();
    spec.size = *ParseSize("1x1");
    spec.size->disk_bytes = disk_bytes;
    auto s = env_.runtime->Create(spec);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
};

// The step writes twice its limit at once, then lingers: the watchdog kills it, and the step
// fails with a message naming the limit; later steps are refused; nothing is left afterwards.
TEST_F(SecurityLimits, DiskFillIsStoppedWithAClearMessage) {
  auto s = WithDisk(int64_t{100} << 20);
  ASSERT_TRUE(s);
  EXPECT_EQ(Sh(*s, "dd if=/dev/zero of=/small bs=1M count=20 2>/dev/null").first,
            0);  // within the limit
  ExecSpec e;
  std::string out;
  e.args = {"/bin/sh", "-c",
            "dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null; sync; "
            "i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo survived"};
  e.env = {"PATH=/bin"};
  e.on_line = [&](const std::string& l, bool, bool) { out += l + "\n"; };
  auto r = s->Exec(e);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("job exceeded its disk limit of 100 MB (size 1x1)"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(out.find("survived"), std::string::npos);  // killed, not waited for
  auto again = s->Exec(e);
  EXPECT_FALSE(again.ok());
  std::string upper = s->UpperDir();
  EXPECT_TRUE(IsDirectory(upper));
  ASSERT_TRUE(s->Destroy().ok());
  EXPECT_FALSE(PathExists(upper));
}

// A writable bind mount on the state filesystem (a job's $HOME, $RUNNER_TEMP) counts against
// the cap: writing twice the cap there fails the step as writing to / does.
TEST_F(SecurityLimits, DiskFillThroughABindMountedHomeFails) {
  std::string home = dir_.Sub("home");
  ASSERT_TRUE(MakeDirs(home).ok());
  SandboxSpec spec = BaseSpec({{home, "/root", false}});
  spec.size = *ParseSize("1x1");
  spec.size->disk_bytes = int64_t{50} << 20;
  spec.disk_dirs = {home};
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExecSpec e;
  e.args = {"/bin/sh", "-c", "dd if=/dev/zero of=/root/big bs=1M count=100 2>/dev/null; sync"};
  e.env = {"PATH=/bin"};
  auto r = (*s)->Exec(e);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("job exceeded its disk limit of 50 MB (size 1x1)"),
            std::string::npos)
      << r.status().ToString();
}

// A process left in the background writes after the last command's check; the check made
// before a snapshot (CheckDisk, once the processes are stopped) sees it. The host decides when
// the writer writes (a marker in a bind mount), so the order is fixed.
TEST_F(SecurityLimits, DiskFillAfterTheLastCommandIsSeenBeforeTheSnapshot) {
  std::string ctl = dir_.Sub("ctl");
  ASSERT_TRUE(MakeDirs(ctl).ok());
  SandboxSpec spec = BaseSpec({{ctl, "/ctl", false}});
  spec.size = *ParseSize("1x1");
  spec.size->disk_bytes = int64_t{50} << 20;
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto r =
      Sh(**s,
         "(while [ ! -e /ctl/go ]; do sleep 0.05; done; dd if=/dev/zero of=/late bs=1M count=100; "
         "sync; touch /ctl/written) >/dev/null 2>&1 &");
  ASSERT_EQ(r.first, 0);  // the command itself stayed within the limit
  ASSERT_TRUE((*s)->CheckDisk().ok());
  ASSERT_TRUE(WriteScratchFile(ctl + "/go", "").ok());
  while (!PathExists(ctl + "/written")) ::usleep(50 * 1000);
  Status disk = (*s)->CheckDisk();
  ASSERT_FALSE(disk.ok());
  EXPECT_NE(disk.message().find("job exceeded its disk limit of 50 MB (size 1x1)"),
            std::string::npos)
      << disk.ToString();
}

// A command that writes past the limit faster than the watchdog looks still fails.
TEST_F(SecurityLimits, DiskFillBetweenTwoLooksStillFails) {
  auto s = WithDisk(int64_t{50} << 20);
  ASSERT_TRUE(s);
  ExecSpec e;
  e.args = {"/bin/sh", "-c", "dd if=/dev/zero of=/big bs=1M count=100 2>/dev/null"};
  e.env = {"PATH=/bin"};
  auto r = s->Exec(e);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("job exceeded its disk limit of 50 MB (size 1x1)"),
            std::string::npos);
}

// 200 MB without a newline arrives in bounded pieces (the old pump kept the whole line, 830 MB
// of kiln's memory, and searched it again for each read).
TEST_F(SecurityLimits, EndlessLineIsSplit) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  ExecSpec e;
  e.args = {"/bin/sh", "-c", "head -c 200000000 /dev/zero | tr '\\0' a; echo; echo end"};
  e.env = {"PATH=/bin"};
  size_t pieces = 0, longest = 0, total = 0;
  std::string last;
  e.on_line = [&](const std::string& l, bool, bool) {
    ++pieces;
    longest = std::max(longest, l.size());
    total += l.size();
    last = l;
  };
  auto r = s->Exec(e);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, 0);
  EXPECT_EQ(total, 200000000u + 3);
  EXPECT_LE(longest, 64u * 1024);
  EXPECT_GE(pieces, 200000000u / (64 * 1024));
  EXPECT_EQ(last, "end");
}

TEST_F(SecurityLimits, ParentCgroupCapsPids) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  std::string file = DetectCgroupMode() == CgroupMode::kV2 ? "/sys/fs/cgroup/kiln/pids.max"
                                                           : "/sys/fs/cgroup/pids/kiln/pids.max";
  auto cap = ReadFile(file);
  ASSERT_TRUE(cap.ok()) << cap.status().ToString();
  EXPECT_EQ(*cap, std::to_string(ParentPidsCap()) + "\n");
  auto pid_max = ReadFile("/proc/sys/kernel/pid_max");
  EXPECT_LT(ParentPidsCap(), std::stoll(*pid_max));
}

// Sandboxes start while other runtimes over the same state dir sweep without pause: every
// start succeeds (a sweep used to take a sandbox whose dir existed before its owner file).
TEST_F(SecurityLimits, SweepsNeverTakeAStartingSandbox) {
  std::atomic<bool> done{false};
  std::vector<std::thread> sweepers;
  for (int i = 0; i < 2; ++i) {
    sweepers.emplace_back([&] {
      while (!done) {
        (void)env_.runtime->SweepOrphans();
      }
    });
  }
  std::atomic<int> failed{0};
  std::vector<std::thread> starters;
  for (int t = 0; t < 4; ++t) {
    starters.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto s = env_.runtime->Create(BaseSpec());
        if (!s.ok()) {
          ADD_FAILURE() << s.status().ToString();
          ++failed;
          continue;
        }
        ExecSpec e;
        e.args = {"/bin/true"};
        e.env = {"PATH=/bin"};
        auto r = (*s)->Exec(e);
        if (!r.ok() || *r != 0) ++failed;
        (void)(*s)->Destroy();
      }
    });
  }
  for (auto& t : starters) t.join();
  done = true;
  for (auto& t : sweepers) t.join();
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace kiln::runtime
