// The crun Runtime (crun_runtime.h): creating, attaching, listing and sweeping sandboxes.
#include "runtime/crun_runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "runtime/agent.h"
#include "runtime/cgroups.h"
#include "runtime/crun_pool.h"
#include "runtime/etc_files.h"
#include "runtime/network.h"
#include "runtime/owner.h"
#include "runtime/sandbox_net.h"
#include "runtime/sandbox_record.h"
#include "runtime/snapshot_command.h"
#include "snapshot/overlay.h"

namespace kiln::runtime {

std::string CrunRuntime::NewId() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static const char kHex[] = "0123456789abcdef";
  std::string id = "kiln-";
  for (int i = 0; i < 12; ++i) id += kHex[gen() % 16];
  return id;
}

Result<std::unique_ptr<Sandbox>> CrunRuntime::Create(const SandboxSpec& spec) {
  RETURN_IF_ERROR(PrepareHostOnce());
  // A missing source is made as a dir; an existing file is bind-mounted as it is.
  for (const auto& m : spec.mounts) {
    if (!PathExists(m.source)) RETURN_IF_ERROR(MakeDirs(m.source));
  }
  if (!spec.persistent) {
    if (auto pooled = TakePooled(spec)) return pooled;
  }
  ASSIGN_OR_RETURN(auto box, StartNew(spec, spec.persistent ? "detached" : OwnerToken()));
  if (spec.persistent) box->Detach();
  return std::unique_ptr<Sandbox>(std::move(box));
}

Result<std::unique_ptr<Sandbox>> CrunRuntime::Attach(const std::string& id) {
  ASSIGN_OR_RETURN(auto all, List());
  const SandboxInfo* hit = nullptr;
  for (const auto& info : all) {
    if (info.id == id || info.id.rfind(id, 0) == 0 || info.id.rfind("kiln-" + id, 0) == 0) {
      if (hit != nullptr) return InvalidArgument("sandbox id \"" + id + "\" is ambiguous");
      hit = &info;
    }
  }
  if (hit == nullptr) return NotFound("no sandbox " + id + " (see kiln sandbox ls)");
  CrunPaths paths = PathsOf(hit->id);
  ASSIGN_OR_RETURN(User user, ResolveUser(paths.dir + "/rootfs", hit->spec.image.user));
  auto box = std::make_unique<CrunSandbox>(hit->id, paths, hit->spec, user);
  box->Detach();
  return std::unique_ptr<Sandbox>(std::move(box));
}

Result<std::vector<SandboxInfo>> CrunRuntime::List() {
  std::vector<SandboxInfo> out;
  if (!IsDirectory(SandboxesDir())) return out;
  ASSIGN_OR_RETURN(auto ids, ListDir(SandboxesDir()));
  for (const auto& id : ids) {
    if (id.rfind(kStagingPrefix, 0) == 0) continue;
    std::string dir = PathsOf(id).dir;
    auto owner = ReadFile(dir + "/owner");
    auto record = ReadFile(dir + "/spec.json");
    if (!owner.ok() || *owner != "detached" || !record.ok()) continue;
    auto j = ParseJson(*record);
    if (!j.ok()) continue;
    SandboxInfo info;
    info.id = id;
    auto spec = SpecFromJson(*j, &info.created);
    if (!spec.ok()) continue;
    info.spec = *spec;
    auto state = RunCrun(PathsOf(id), {"state", id});
    auto sj =
        state.ok() && state->exit_code == 0 ? ParseJson(state->out) : Result<Json>(NotFound(""));
    info.state = sj.ok() ? sj->value("status", "unknown") : "gone";
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<std::string>> CrunRuntime::LayerDirsInUse() {
  std::set<std::string> dirs;
  if (!IsDirectory(SandboxesDir())) return std::vector<std::string>{};
  ASSIGN_OR_RETURN(auto ids, ListDir(SandboxesDir()));
  // Every entry, sandboxes being made (".new-…") too: their spec.json is written before their
  // overlay is mounted. One that is gone by the time it is read uses no layer any more.
  for (const auto& id : ids) {
    std::string file = PathsOf(id).dir + "/spec.json";
    auto record = ReadFile(file);
    if (!record.ok() && record.status().code() == Code::kNotFound) continue;
    if (!record.ok()) return record.status().WithContext("layers in use by sandbox " + id);
    auto j = ParseJson(*record);
    auto spec = j.ok() ? SpecFromJson(*j, nullptr) : Result<SandboxSpec>(j.status());
    if (!spec.ok()) return spec.status().WithContext("layers in use: read " + file);
    dirs.insert(spec->lower_dirs.begin(), spec->lower_dirs.end());
  }
  return std::vector<std::string>(dirs.begin(), dirs.end());
}

Result<int> CrunRuntime::SweepOrphans() {
  if (!IsDirectory(SandboxesDir())) return 0;
  ASSIGN_OR_RETURN(auto ids, ListDir(SandboxesDir()));
  int swept = 0;
  for (const auto& id : ids) {
    CrunPaths paths = PathsOf(id);
    if (id.rfind(kStagingPrefix, 0) == 0) {  // a sandbox dir being made: only if its maker died
      if (!OwnerAlive(TokenFromName(id.substr(id.rfind('-') + 1)))) (void)RemoveTree(paths.dir);
      continue;
    }
    auto owner = ReadFile(paths.dir + "/owner");
    if (owner.ok() && (*owner == "detached" || OwnerAlive(*owner))) continue;
    if (owner.ok() && owner->rfind(kPoolOwnerPrefix, 0) == 0 && PooledWanted(paths.dir, *owner))
      continue;
    Status s = CrunSandbox::DestroyAt(id, paths);
    if (!s.ok()) {
      LogWarn("sweep sandbox " + id + ": " + s.message());
      continue;
    }
    ++swept;
  }
  // Members of kiln networks whose sandbox is gone (a kiln killed while one was being made or
  // destroyed), then networks left empty.
  auto released = SweepNetworks(o_.state_dir);
  if (!released.ok()) LogWarn("sweep networks: " + released.status().message());
  return swept;
}

Result<std::unique_ptr<CrunSandbox>> CrunRuntime::StartNew(const SandboxSpec& spec,
                                                           const std::string& owner) {
  std::string id = NewId();
  CrunPaths paths = PathsOf(id);
  // The dir appears (by rename) with its owner in it, so another kiln's sweep never meets a
  // sandbox without one; until then it is a ".new-" dir named after its creator (sweep below).
  std::string staging =
      SandboxesDir() + "/" + kStagingPrefix + id + "-" + TokenForName(OwnerToken());
  if (::mkdir(staging.c_str(), 0700) != 0) return ErrnoStatus("mkdir " + staging, errno);
  Status staged = WriteScratchFile(staging + "/owner", owner, 0600);
  if (staged.ok()) {
    staged = WriteScratchFile(staging + "/spec.json",
                              DumpJson(SpecToJson(spec, Clock::Real()->NowUnix())), 0600);
  }
  if (staged.ok() && ::rename(staging.c_str(), paths.dir.c_str()) != 0)
    staged = ErrnoStatus("rename " + staging, errno);
  if (!staged.ok()) {
    (void)RemoveTree(staging);
    return staged;
  }
  RETURN_IF_ERROR(MakeDirs(paths.dir + "/upper", 0755));
  RETURN_IF_ERROR(MakeDirs(paths.dir + "/work", 0700));
  RETURN_IF_ERROR(MakeDirs(paths.dir + "/rootfs", 0755));
  auto sandbox = Start(id, paths, spec);
  if (!sandbox.ok()) {
    (void)CrunSandbox::DestroyAt(id, paths);
    return sandbox.status().WithContext("create sandbox for " + spec.name);
  }
  return sandbox;
}

Status CrunRuntime::PrepareHostOnce() {
  std::lock_guard<std::mutex> lock(mu_);
  if (prepared_) return Status::Ok();
  ASSIGN_OR_RETURN(std::string changed, PrepareCgroups());
  if (!changed.empty()) LogInfo(changed);
  // Each sandbox has its own pids cap; this one bounds them all together. Without it the
  // sandboxes still run, each capped: say so rather than refuse every job.
  auto capped = CapParentPids();
  if (!capped.ok()) LogWarn("no pids cap on kiln's parent cgroup: " + capped.status().message());
  prepared_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<CrunSandbox>> CrunRuntime::Start(const std::string& id,
                                                        const CrunPaths& paths,
                                                        const SandboxSpec& spec) {
  std::string rootfs = paths.dir + "/rootfs";
  SpecInput in;
  ASSIGN_OR_RETURN(in.init_host_path, FindKilnInit(o_.init_path));
  ASSIGN_OR_RETURN(EtcFiles etc, MakeEtcFiles(paths.dir, spec));
  std::string own_layer = paths.dir + "/" + kSandboxLayer;
  ASSIGN_OR_RETURN(std::optional<BindMount> snapshot_command,
                   PlaceSnapshotCommand(own_layer, spec.lower_dirs, in.init_host_path));
  std::vector<std::string> lowers = spec.lower_dirs;
  if (!etc.layer.empty() || snapshot_command)
    lowers.push_back(own_layer);  // on top: mount targets not in the upper dir
  RETURN_IF_ERROR(
      snapshot::MountOverlay(lowers, paths.dir + "/upper", paths.dir + "/work", rootfs));
  ASSIGN_OR_RETURN(User user, ResolveUser(rootfs, spec.image.user));
  in.rootfs = rootfs;
  // /etc/hosts, /etc/hostname and kiln-snapshot first, so a job's own mounts go over them.
  in.mounts = etc.mounts;
  if (snapshot_command) in.mounts.push_back(*snapshot_command);
  in.mounts.insert(in.mounts.end(), spec.mounts.begin(), spec.mounts.end());
  in.env = spec.image.env;
  in.cwd = spec.image.working_dir.empty() ? "/" : spec.image.working_dir;
  in.user = user;
  in.hostname = spec.hostname;
  in.network = spec.network == kHostNetwork;
  if (IsKiln(spec.network)) {
    ASSIGN_OR_RETURN(SandboxNet net,
                     AttachSandboxNet(o_.state_dir, id, paths.dir, spec, paths.dir + "/etc/hosts"));
    in.netns_path = net.netns;
  }
  in.size = spec.size;
  in.cgroups_path = "/kiln/" + id;
  in.nofile_limit = ClampedNofile();
  in.host_cpus = static_cast<int>(std::thread::hardware_concurrency());
  in.agent_fd = 3;
  ASSIGN_OR_RETURN(UniqueFd agent, AgentListen(paths.dir + "/" + kAgentSocket));
  RETURN_IF_ERROR(WriteScratchFile(paths.dir + "/config.json", DumpJson(RuntimeSpec(in), 2), 0600));
  SubprocessOptions run;
  run.output_file = paths.dir + "/crun.log";
  run.pass_fd = agent.get();
  ASSIGN_OR_RETURN(SubprocessResult r,
                   RunCrun(paths,
                           {"run", "--detach", "--preserve-fds", "1", "--pid-file",
                            paths.dir + "/init.pid", "--bundle", paths.dir, id},
                           run));
  if (r.exit_code != 0) {
    auto log = ReadFile(run.output_file);
    std::string msg = log.ok() ? *log : "";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Internal("crun run exited with " + std::to_string(r.exit_code) + ": " + msg);
  }
  return std::make_unique<CrunSandbox>(id, paths, spec, user);
}

Result<std::unique_ptr<Runtime>> NewCrunRuntime(const RuntimeOptions& options) {
  if (::geteuid() != 0) {
    return FailedPrecondition(
        "kiln's sandboxes need root (overlayfs mounts, cgroups); run as root");
  }
  // Resolve crun once: every sandbox operation runs it, and a PATH search per call adds up.
  RuntimeOptions o = options;
  if (o.crun.find('/') == std::string::npos) {
    for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/usr/sbin/", "/bin/"}) {
      if (::access((dir + o.crun).c_str(), X_OK) == 0) {
        o.crun = dir + o.crun;
        break;
      }
    }
  }
  if (::access(o.crun.c_str(), X_OK) != 0) {
    return FailedPrecondition("crun not found (" + options.crun +
                              "); install it: apt-get install crun");
  }
  RETURN_IF_ERROR(MakeDirs(o.state_dir + "/sandboxes", 0700));
  RETURN_IF_ERROR(MakeDirs(o.state_dir + "/crun", 0700));
  return std::unique_ptr<Runtime>(std::make_unique<CrunRuntime>(o));
}

}  // namespace kiln::runtime
