#include "runtime/spec.h"

#include <sys/resource.h>

#include <algorithm>

#include "runtime/seccomp.h"

namespace kiln::runtime {
namespace {

const std::vector<std::string> kCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

Json Mount(const std::string& dest, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

Json Rlimits(uint64_t nofile) {
  return Json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", nofile}, {"soft", nofile}}});
}

Json Capabilities() {
  return {{"bounding", kCaps},
          {"effective", kCaps},
          {"permitted", kCaps},
          {"inheritable", Json::array()},
          {"ambient", Json::array()}};
}

Json Resources(const std::optional<Size>& size, int host_cpus) {
  Json devices = Json::array({{{"allow", false}, {"access", "rwm"}}});
  for (auto [major, minor] :
       std::vector<std::pair<int, int>>{{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}}) {
    devices.push_back(
        {{"allow", true}, {"type", "c"}, {"major", major}, {"minor", minor}, {"access", "rwm"}});
  }
  devices.push_back({{"allow", true}, {"type", "c"}, {"major", 136}, {"access", "rwm"}});
  Json r = {{"devices", devices}, {"pids", {{"limit", 8192}}}};
  if (size) {
    int cpus = std::min(size->cpus, std::max(host_cpus, 1));
    r["cpu"] = {{"quota", int64_t{size->cpus} * 100000},
                {"period", 100000},
                {"cpus", cpus == 1 ? std::string("0") : "0-" + std::to_string(cpus - 1)}};
    r["memory"] = {{"limit", size->memory_bytes}, {"swap", size->memory_bytes}};
  }
  return r;
}

}  // namespace

uint64_t ClampedNofile() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  uint64_t want = 1048576;
  return rl.rlim_max == RLIM_INFINITY ? want : std::min<uint64_t>(want, rl.rlim_max);
}

Json ProcessSpec(const std::vector<std::string>& args, const std::vector<std::string>& env,
                 const std::string& cwd, const User& user, uint64_t nofile_limit) {
  Json u = {{"uid", user.uid}, {"gid", user.gid}};
  if (!user.additional_gids.empty()) u["additionalGids"] = user.additional_gids;
  return {{"terminal", false},
          {"user", u},
          {"args", args},
          {"env", env},
          {"cwd", cwd.empty() ? "/" : cwd},
          {"capabilities", Capabilities()},
          {"rlimits", Rlimits(nofile_limit)},
          {"noNewPrivileges", true}};
}

Json RuntimeSpec(const SpecInput& in) {
  Json mounts = Json::array({
      Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      Mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      in.network ? Mount("/sys", "bind", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
                 : Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      Mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
      Mount(kInitPath, "bind", in.init_host_path, {"bind", "ro", "nosuid", "nodev"}),
  });
  for (const auto& m : in.mounts) {
    std::vector<std::string> opts = {"rbind", "nosuid", "nodev"};
    if (m.read_only) opts.push_back("ro");
    mounts.push_back(Mount(m.destination, "bind", m.source, opts));
  }
  Json ns = Json::array({{{"type", "pid"}},
                         {{"type", "ipc"}},
                         {{"type", "uts"}},
                         {{"type", "mount"}},
                         {{"type", "cgroup"}}});
  if (!in.netns_path.empty()) {
    ns.push_back({{"type", "network"}, {"path", in.netns_path}});
  } else if (!in.network) {
    ns.push_back({{"type", "network"}});
  }
  std::vector<std::string> init = {kInitPath};
  if (in.agent_fd >= 0) init.insert(init.end(), {"--agent", std::to_string(in.agent_fd)});
  Json process = ProcessSpec(init, in.env, in.cwd, in.user, in.nofile_limit);
  return {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", in.rootfs}, {"readonly", false}}},
      {"hostname", in.hostname},
      {"mounts", mounts},
      {"linux",
       {{"namespaces", ns},
        {"cgroupsPath", in.cgroups_path},
        {"resources", Resources(in.size, in.host_cpus)},
        {"seccomp", SeccompProfile()},
        {"maskedPaths",
         {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware", "/sys/devices/virtual/powercap"}},
        {"readonlyPaths",
         {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}},
  };
}

}  // namespace kiln::runtime
