// The hardened runtime config (spec.h) as a unit: what DESIGN.md's safety rules ask of every
// sandbox, checked on the JSON crun is given (the itests check what a job then sees).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <set>
#include <string>

#include "base/json.h"
#include "runtime/spec.h"

namespace kiln::runtime {
namespace {

const std::set<std::string> kDockerCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

SpecInput Input() {
  SpecInput in;
  in.rootfs = "/state/sandboxes/kiln-1/rootfs";
  in.init_host_path = "/usr/libexec/kiln/kiln-init";
  in.hostname = "box";
  in.cgroups_path = "/kiln/kiln-1";
  in.nofile_limit = 4096;
  in.host_cpus = 8;
  in.agent_fd = 3;
  return in;
}

std::set<std::string> Strings(const Json& a) {
  std::set<std::string> out;
  for (const auto& s : a) out.insert(s.get<std::string>());
  return out;
}

const Json* FindMount(const Json& spec, const std::string& dest) {
  for (const auto& m : spec["mounts"]) {
    if (m["destination"] == dest) return &m;
  }
  return nullptr;
}

std::set<std::string> Namespaces(const Json& spec) {
  std::set<std::string> out;
  for (const auto& n : spec["linux"]["namespaces"]) {
    EXPECT_FALSE(n.contains("path")) << n.dump();  // new ones, never the host's joined
    out.insert(n["type"].get<std::string>());
  }
  return out;
}

void ExpectHardenedProcess(const Json& process) {
  const Json& caps = process["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted"}) {
    std::set<std::string> got = Strings(caps[set]);
    EXPECT_LE(caps[set].size(), 14u) << set;
    for (const auto& c : got) EXPECT_EQ(kDockerCaps.count(c), 1u) << c << " in " << set;
  }
  EXPECT_TRUE(caps["inheritable"].is_array() && caps["inheritable"].empty()) << caps.dump();
  EXPECT_TRUE(caps["ambient"].is_array() && caps["ambient"].empty()) << caps.dump();
  EXPECT_EQ(process["noNewPrivileges"], true);
  EXPECT_EQ(process["terminal"], false);
}

TEST(SecuritySpec, CapabilitiesAreDockersFourteenAtMostWithNothingInheritable) {
  Json spec = RuntimeSpec(Input());
  ExpectHardenedProcess(spec["process"]);
  EXPECT_EQ(Strings(spec["process"]["capabilities"]["bounding"]), kDockerCaps);
  EXPECT_EQ(spec["process"]["args"], Json({kInitPath, "--agent", "3"}));
  // What `crun exec` runs (the fallback without the agent) is held to the same.
  User user{1000, 1000, {27}};
  Json exec = ProcessSpec({"sh", "-c", "true"}, {"PATH=/bin"}, "", user, 4096);
  ExpectHardenedProcess(exec);
  EXPECT_EQ(exec["cwd"], "/");
  EXPECT_EQ(exec["user"]["uid"], 1000);
  EXPECT_EQ(exec["user"]["additionalGids"], Json({27}));
}

TEST(SecuritySpec, ProcPathsAreMaskedOrReadOnly) {
  Json spec = RuntimeSpec(Input());
  std::set<std::string> masked = Strings(spec["linux"]["maskedPaths"]);
  for (const char* p : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                        "/proc/acpi", "/proc/asound", "/proc/latency_stats", "/proc/timer_stats",
                        "/proc/scsi", "/sys/firmware"}) {
    EXPECT_EQ(masked.count(p), 1u) << p;
  }
  std::set<std::string> ro = Strings(spec["linux"]["readonlyPaths"]);
  for (const char* p : {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
    EXPECT_EQ(ro.count(p), 1u) << p;
  }
}

TEST(SecuritySpec, SeccompIsAnAllowlist) {
  Json spec = RuntimeSpec(Input());
  ASSERT_TRUE(spec["linux"].contains("seccomp"));
  const Json& seccomp = spec["linux"]["seccomp"];
  EXPECT_EQ(seccomp["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_GT(seccomp["syscalls"].size(), 10u);
  EXPECT_EQ(Strings(seccomp["architectures"]).count("SCMP_ARCH_X86_64"), 1u);
}

TEST(SecuritySpec, RlimitsAreClampedToWhatTheHostAllows) {
  SpecInput in = Input();
  in.nofile_limit = ClampedNofile();
  Json spec = RuntimeSpec(in);
  ASSERT_EQ(spec["process"]["rlimits"].size(), 1u);
  const Json& nofile = spec["process"]["rlimits"][0];
  EXPECT_EQ(nofile["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(nofile["hard"], in.nofile_limit);
  EXPECT_EQ(nofile["soft"], in.nofile_limit);
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_LE(ClampedNofile(), uint64_t{1048576});
  if (rl.rlim_max != RLIM_INFINITY) {
    EXPECT_LE(ClampedNofile(), rl.rlim_max);
  }
  // A lower hard limit is what is asked for (a child cannot raise it: the clamp is real).
  rlimit lowered = rl;
  lowered.rlim_max = std::min<rlim_t>(rl.rlim_max, 2048);
  lowered.rlim_cur = std::min(rl.rlim_cur, lowered.rlim_max);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  uint64_t clamped = ClampedNofile();
  (void)::setrlimit(RLIMIT_NOFILE, &rl);  // root may restore it; others keep the lower one
  EXPECT_EQ(clamped, lowered.rlim_max);
}

TEST(SecuritySpec, DevIsAFreshTmpfsAndHostFilesystemsAreNotExposed) {
  Json spec = RuntimeSpec(Input());
  const Json* dev = FindMount(spec, "/dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ((*dev)["type"], "tmpfs");
  EXPECT_EQ(Strings((*dev)["options"]).count("nosuid"), 1u);
  const Json* proc = FindMount(spec, "/proc");
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ((*proc)["type"], "proc");
  for (const char* o : {"nosuid", "noexec", "nodev"})
    EXPECT_EQ(Strings((*proc)["options"]).count(o), 1u) << o;
  const Json* sys = FindMount(spec, "/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(Strings((*sys)["options"]).count("ro"), 1u);
  const Json* init = FindMount(spec, kInitPath);
  ASSERT_NE(init, nullptr);
  EXPECT_EQ((*init)["source"], "/usr/libexec/kiln/kiln-init");
  EXPECT_EQ(Strings((*init)["options"]).count("ro"), 1u);
  for (const auto& m : spec["mounts"]) {
    EXPECT_NE(m["source"], "/dev") << m.dump();  // no host device tree
    EXPECT_NE(m["source"], "/") << m.dump();
  }
  // The device cgroup denies all, then allows only the harmless character devices.
  const Json& devices = spec["linux"]["resources"]["devices"];
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices[0]["allow"], false);
  EXPECT_FALSE(devices[0].contains("type"));
  EXPECT_EQ(spec["root"]["path"], "/state/sandboxes/kiln-1/rootfs");
  EXPECT_EQ(spec["hostname"], "box");
}

TEST(SecuritySpec, JobMountsAreNosuidNodevAndReadOnlyWhenAsked) {
  SpecInput in = Input();
  in.mounts = {{"/host/ws", "/github/workspace", false}, {"/host/tool", "/opt/tool", true}};
  Json spec = RuntimeSpec(in);
  const Json* ws = FindMount(spec, "/github/workspace");
  const Json* tool = FindMount(spec, "/opt/tool");
  ASSERT_TRUE(ws != nullptr && tool != nullptr);
  for (const Json* m : {ws, tool}) {
    for (const char* o : {"nosuid", "nodev"}) EXPECT_EQ(Strings((*m)["options"]).count(o), 1u) << o;
  }
  EXPECT_EQ(Strings((*ws)["options"]).count("ro"), 0u);
  EXPECT_EQ(Strings((*tool)["options"]).count("ro"), 1u);
}

TEST(SecuritySpec, NamespacesIncludeTheNetworkWhenLoopbackOnly) {
  SpecInput in = Input();
  EXPECT_EQ(Namespaces(RuntimeSpec(in)),
            (std::set<std::string>{"pid", "ipc", "uts", "mount", "cgroup", "network"}));
  in.network = true;
  EXPECT_EQ(Namespaces(RuntimeSpec(in)),
            (std::set<std::string>{"pid", "ipc", "uts", "mount", "cgroup"}));
}

TEST(SecuritySpec, CgroupLimitsComeFromTheSize) {
  SpecInput in = Input();
  Json unsized = RuntimeSpec(in)["linux"]["resources"];
  EXPECT_FALSE(unsized.contains("memory"));
  EXPECT_FALSE(unsized.contains("cpu"));
  EXPECT_EQ(unsized["pids"]["limit"], 8192);  // a fork bomb is bounded even without a size
  in.size = *ParseSize("4x16");
  Json r = RuntimeSpec(in)["linux"]["resources"];
  EXPECT_EQ(r["memory"]["limit"], int64_t{16} << 30);
  EXPECT_EQ(r["memory"]["swap"], int64_t{16} << 30);  // no swap beyond the memory
  EXPECT_EQ(r["cpu"]["quota"], 400000);
  EXPECT_EQ(r["cpu"]["period"], 100000);
  EXPECT_EQ(r["cpu"]["cpus"], "0-3");
  EXPECT_EQ(r["pids"]["limit"], 8192);
  in.size = *ParseSize("16x64");  // more CPUs than the host's 8: the cpuset is what exists
  r = RuntimeSpec(in)["linux"]["resources"];
  EXPECT_EQ(r["cpu"]["cpus"], "0-7");
  EXPECT_EQ(r["cpu"]["quota"], 1600000);
  in.size = *ParseSize("1x1");
  EXPECT_EQ(RuntimeSpec(in)["linux"]["resources"]["cpu"]["cpus"], "0");
  EXPECT_EQ(RuntimeSpec(in)["linux"]["cgroupsPath"], "/kiln/kiln-1");
}

}  // namespace
}  // namespace kiln::runtime
