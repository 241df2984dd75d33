// The Sandbox suite against crun + overlayfs, plus what only a real sandbox has: isolation,
// limits, hardening and cleanup.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "base/fs.h"
#include "base/subprocess.h"
#include "runtime/crun_sandbox.h"
#include "runtime/owner.h"
#include "runtime/sandbox_suite.h"
#include "snapshot/overlay.h"

namespace kiln::runtime {

namespace {
std::string g_state;
}

SuiteEnv MakeSuiteEnv(const testing::ScratchDir& dir) {
  std::string rootfs = dir.Sub("busybox");
  testing::MakeBusyboxRootfs(rootfs);
  g_state = dir.Sub("state");
  RuntimeOptions o;
  o.state_dir = g_state;
  o.init_path = testing::KilnInitBinary();
  auto rt = NewCrunRuntime(o);
  EXPECT_TRUE(rt.ok()) << rt.status().ToString();
  return SuiteEnv{rt.ok() ? std::move(*rt) : nullptr, {rootfs}, true, g_state};
}

namespace {

class CrunOnly : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
  }
  std::string Out(Sandbox& s, const std::string& script) {
    auto [code, lines] = Sh(s, script);
    EXPECT_EQ(code, 0) << script;
    std::string out;
    for (const auto& l : lines) out += l.substr(2) + "\n";
    return out;
  }
};

TEST_F(CrunOnly, WritesLandInTheUpperDir) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  Out(*s, "echo data > /made-here && rm /bin/true");
  EXPECT_EQ(*ReadFile(s->UpperDir() + "/made-here"), "data\n");
  struct stat st;
  ASSERT_EQ(::lstat((s->UpperDir() + "/bin/true").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // an overlay whiteout
}

TEST_F(CrunOnly, HardenedDefaults) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  std::string status = Out(*s, "cat /proc/self/status");
  EXPECT_NE(status.find("CapInh:\t0000000000000000"), std::string::npos) << status;
  EXPECT_NE(status.find("CapAmb:\t0000000000000000"), std::string::npos);
  EXPECT_NE(status.find("CapBnd:\t00000000a80425fb"), std::string::npos);  // Docker's 14
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos);
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos);
  EXPECT_EQ(Out(*s, "ls /sys/class/net"), "lo\n");
  EXPECT_EQ(Out(*s, "wc -c < /proc/timer_list"), "0\n");          // masked (bound to /dev/null)
  EXPECT_NE(Sh(*s, "echo 1 > /proc/sys/kernel/panic").first, 0);  // read-only
  EXPECT_NE(Sh(*s, "mount -t tmpfs x /mnt").first, 0);
  EXPECT_EQ(Out(*s, "cat /proc/1/cmdline | tr '\\0' ' '"), "/dev/.kiln-init --agent 3 \n");
}

// Steps are forked by kiln-init's exec agent (parent: PID 1), hold no fd but their stdio, and
// the agent's socket lives outside the sandbox's filesystem; without the socket, Exec falls
// back to `crun exec` (parent: outside the sandbox's PID namespace, so PPID 0).
TEST_F(CrunOnly, StepsRunThroughTheExecAgentWhichTheSandboxCannotReach) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  EXPECT_EQ(Out(*s, "echo $PPID"), "1\n");
  EXPECT_EQ(Out(*s, testing::kListOwnFds), "0\n1\n2\n");
  EXPECT_EQ(Out(*s, "find / -xdev -name agent.sock | wc -l"), "0\n");
  // kiln-init is not dumpable: no step can read its memory or environment, or take its fds.
  EXPECT_NE(Sh(*s, "cat /proc/1/environ").first, 0);
  auto [code, lines] = Sh(*s, "exec /no/such/tool");
  EXPECT_EQ(code, 127);
  std::string sock = g_state + "/sandboxes/" + s->id() + "/agent.sock";
  ASSERT_TRUE(PathExists(sock));
  ASSERT_EQ(::unlink(sock.c_str()), 0);
  EXPECT_EQ(Out(*s, "echo $PPID"), "0\n");
}

// crun starts from a sealed in-memory copy of itself, which nothing can write or grow, so it
// skips its own per-command copy (CVE-2019-5736).
TEST_F(CrunOnly, CrunRunsFromASealedCopyNothingCanWrite) {
  int fd = SealedCrunFd("/usr/bin/crun");
  ASSERT_GE(fd, 10);
  EXPECT_EQ(SealedCrunFd("/usr/bin/crun"), fd);
  EXPECT_EQ(::fcntl(fd, F_GET_SEALS), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  EXPECT_LT(::pwrite(fd, "x", 1, 0), 0);
  EXPECT_NE(::ftruncate(fd, 0), 0);
  struct stat copy {
  }, real{};
  ASSERT_EQ(::fstat(fd, &copy), 0);
  ASSERT_EQ(::stat("/usr/bin/crun", &real), 0);
  EXPECT_EQ(copy.st_size, real.st_size);
  EXPECT_EQ(SealedCrunFd("/no/such/crun"), -1);
  EXPECT_EQ(SealedCrunFd("/usr/bin/ldd"), -1);  // a script: not copied
  // The copy runs as crun; RunCrun goes through it.
  SubprocessOptions o;
  o.exec_fd = fd;
  auto version = RunProcess({"crun", "--version"}, o);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->out.rfind("crun version", 0), 0u) << version->out;
  // A sandbox started and stopped through it works as before.
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  EXPECT_EQ(Out(*s, "echo hi"), "hi\n");
}

TEST_F(CrunOnly, SizeBecomesLimitsTheJobSees) {
  SandboxSpec spec;
  spec.name = "sized";
  spec.lower_dirs = env_.lower_dirs;
  spec.image.env = {"PATH=/bin"};
  spec.size = *ParseSize("1x1");
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Out(**s, "nproc"), "1\n");
  std::string mem = Out(**s,
                        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat "
                        "/sys/fs/cgroup/memory.max");
  EXPECT_EQ(mem, std::to_string(int64_t{1} << 30) + "\n");
}

TEST_F(CrunOnly, DestroyLeavesNothing) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  std::string dir = g_state + "/sandboxes/" + s->id();
  ASSERT_TRUE(snapshot::IsMountPoint(dir + "/rootfs"));
  // A process left running in the background, and one in a child PID-wise detached from it.
  Out(*s, "sleep 3171 >/dev/null 2>&1 & (setsid sleep 3172 >/dev/null 2>&1 &)");
  ASSERT_TRUE(s->Destroy().ok());
  EXPECT_FALSE(PathExists(dir));
  auto state = RunProcess({"crun", "--root", g_state + "/crun", "state", s->id()});
  ASSERT_TRUE(state.ok());
  EXPECT_NE(state->exit_code, 0);
  EXPECT_FALSE(PathExists("/sys/fs/cgroup/memory/kiln/" + s->id()));
  EXPECT_FALSE(PathExists("/sys/fs/cgroup/pids/kiln/" + s->id()));
  auto left = RunProcess({"pgrep", "-f", "sleep 317[12]"});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->out, "");
}

// Pooled sandboxes outlive the kiln that filled them and are kept by the sweep while their init
// runs; one whose init has gone (a reboot, a kill) is swept. A taken one belongs to its taker.
TEST_F(CrunOnly, SweepKeepsLivePooledSandboxesAndRemovesDeadOnes) {
  ASSERT_EQ(*env_.runtime->FillPool(BaseSpec(), 2), 2);
  EXPECT_EQ(*env_.runtime->SweepOrphans(), 0);
  auto pool = *env_.runtime->ListPool();
  ASSERT_EQ(pool.size(), 2u);
  std::string dead = g_state + "/sandboxes/" + pool[0].id;
  auto pid = ReadFile(dead + "/init.pid");
  ASSERT_TRUE(pid.ok());
  ASSERT_EQ(::kill(std::atoi(pid->c_str()), SIGKILL), 0);
  for (int i = 0; i < 500 && !ProcessToken(std::atoi(pid->c_str())).empty(); ++i) ::usleep(10000);
  EXPECT_EQ(env_.runtime->ListPool()->size(), 1u);
  EXPECT_EQ(*env_.runtime->SweepOrphans(), 1);
  EXPECT_FALSE(PathExists(dead));
  auto taken = env_.runtime->Create(BaseSpec());
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE((*taken)->from_pool());
  std::string dir = g_state + "/sandboxes/" + (*taken)->id();
  EXPECT_EQ(*env_.runtime->SweepOrphans(), 0);  // ours now, and we live
  EXPECT_TRUE(PathExists(dir));
  EXPECT_NE(ReadFile(dir + "/owner")->rfind("pool ", 0), 0u);
  ASSERT_TRUE((*taken)->Destroy().ok());
  EXPECT_FALSE(PathExists(dir));
}

TEST_F(CrunOnly, SweepRemovesSandboxesOfDeadOwners) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  std::string dir = g_state + "/sandboxes/" + s->id();
  ASSERT_TRUE(WriteFileAtomic(dir + "/owner", "999999 1").ok());  // no such process
  auto swept = env_.runtime->SweepOrphans();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_FALSE(PathExists(dir));
}

}  // namespace
}  // namespace kiln::runtime
