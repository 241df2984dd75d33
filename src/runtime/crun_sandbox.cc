#include "runtime/crun_sandbox.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "runtime/agent.h"
#include "runtime/disk_watch.h"
#include "runtime/netns.h"
#include "runtime/sandbox_net.h"
#include "snapshot/overlay.h"

namespace kiln::runtime {

int SealedCrunFd(const std::string& crun) {
  // Keyed by the file's identity, so a crun upgraded under a long-running kiln is copied anew.
  // Copies of older versions stay open: a thread may be about to start one.
  struct stat st {};
  if (::stat(crun.c_str(), &st) != 0) return -1;
  std::string key = crun + ":" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                    std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec);
  static std::mutex mu;
  static std::map<std::string, int> fds;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = fds.emplace(key, -1);
  if (!fresh) return it->second;
  auto in = Open(crun, O_RDONLY);
  char magic[4] = {};
  // An ELF binary only: a wrapper script cannot be executed from a close-on-exec fd.
  if (!in.ok() || ::pread(in->get(), magic, sizeof magic, 0) != 4 ||
      std::memcmp(magic,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return -1;
  UniqueFd mem(::memfd_create("crun", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem.valid()) return -1;
  for (off_t off = 0; off < st.st_size;) {
    if (::sendfile(mem.get(), in->get(), &off, static_cast<size_t>(st.st_size - off)) <= 0)
      return -1;
  }
  if (::fchmod(mem.get(), 0500) != 0 ||
      ::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) !=
          0) {
    return -1;
  }
  // Above the stdio fds, which a child's set-up overwrites before it execs this one.
  it->second = ::fcntl(mem.get(), F_DUPFD_CLOEXEC, 10);
  return it->second;  // kept open for the life of the process
}

Result<SubprocessResult> RunCrun(const CrunPaths& paths, const std::vector<std::string>& args,
                                 SubprocessOptions options, bool checked) {
  std::vector<std::string> argv = {paths.crun, "--root", paths.crun_root};
  argv.insert(argv.end(), args.begin(), args.end());
  options.exec_fd = SealedCrunFd(paths.crun);
  return checked ? RunChecked(argv, options) : RunProcess(argv, options);
}

CrunSandbox::~CrunSandbox() {
  if (detached_ || destroyed_) return;
  Status s = Destroy();
  if (!s.ok()) LogWarn("sandbox " + id_ + ": " + s.message());
}

Result<SubprocessResult> CrunSandbox::Crun(const std::vector<std::string>& args) {
  return RunCrun(paths_, args, {}, /*checked=*/true);
}

bool CrunSandbox::AcceptsTcp(uint16_t port, double seconds) const {
  if (net_.netns.empty() || net_.address.empty()) return false;
  return TcpConnectsIn(net_.netns, net_.address, port, seconds);
}

Status CrunSandbox::CheckDisk() const {
  if (!spec_.size || spec_.size->disk_bytes <= 0) return Status::Ok();
  auto used = AllocatedBytes(UpperDir());
  if (!used.ok()) return used.status().WithContext("measure the job's disk use");
  std::vector<std::string> dirs = spec_.disk_dirs;
  // The writable /etc/hosts and /etc/hostname (etc_files.h); absent in sandboxes made before them.
  if (IsDirectory(paths_.dir + "/etc")) dirs.push_back(paths_.dir + "/etc");
  for (const auto& dir : dirs) {
    auto more = AllocatedBytes(dir);
    if (!more.ok()) return more.status().WithContext("measure the job's disk use");
    *used += *more;
  }
  if (*used <= spec_.size->disk_bytes) return Status::Ok();
  return FailedPrecondition(
      "job exceeded its disk limit of " + FormatBinaryBytes(spec_.size->disk_bytes) + " (size " +
      spec_.size->name + "): its changes to the image, $HOME and temp dirs took " +
      FormatBinaryBytes(*used) + "; its processes were stopped");
}

Result<int> CrunSandbox::Exec(const ExecSpec& spec) {
  if (!spec_.size || spec_.size->disk_bytes <= 0) return ExecUnwatched(spec);
  RETURN_IF_ERROR(CheckDisk());
  DiskWatch watch([this] { return CheckDisk(); }, [this] { (void)Signal(SIGKILL); });
  auto r = ExecUnwatched(spec);
  watch.Stop();
  RETURN_IF_ERROR(watch.verdict());
  RETURN_IF_ERROR(CheckDisk());  // a command may fill it between two looks
  return r;
}

std::vector<std::string> CrunSandbox::EnvFor(const ExecSpec& spec) const {
  return spec.env.empty() ? spec_.image.env : spec.env;
}

std::string CrunSandbox::CwdFor(const ExecSpec& spec) const {
  return !spec.cwd.empty()                  ? spec.cwd
         : !spec_.image.working_dir.empty() ? spec_.image.working_dir
                                            : "/";
}

Status CrunSandbox::Spawn(const ExecSpec& spec, const std::string& log_file) {
  std::vector<std::string> env = EnvFor(spec);
  std::string cwd = CwdFor(spec);
  ASSIGN_OR_RETURN(UniqueFd log, Open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  Status via_agent = AgentSpawn(paths_.dir + "/" + kAgentSocket,
                                {spec.args, env, cwd, nullptr, nullptr}, log.get());
  if (via_agent.code() != Code::kNotFound) return via_agent.WithContext("spawn in sandbox " + id_);
  Json process = ProcessSpec(spec.args, env, cwd, user_, ClampedNofile());
  std::string file = paths_.dir + "/exec-" + std::to_string(exec_seq_++) + ".json";
  RETURN_IF_ERROR(WriteScratchFile(file, DumpJson(process), 0600));
  SubprocessOptions options;
  options.output_file = log_file;
  auto r = RunCrun(paths_, {"exec", "--detach", "--process", file, id_}, options, true);
  ::unlink(file.c_str());
  return r.status().WithContext("spawn in sandbox " + id_);
}

Result<int> CrunSandbox::ExecUnwatched(const ExecSpec& spec) {
  std::vector<std::string> env = EnvFor(spec);
  std::string cwd = CwdFor(spec);
  auto via_agent = AgentExec(paths_.dir + "/" + kAgentSocket,
                             {spec.args, env, cwd, spec.on_line, spec.on_snapshot});
  if (via_agent.ok() || via_agent.status().code() != Code::kNotFound) {
    return via_agent.status().ok() ? via_agent
                                   : via_agent.status().WithContext("exec in sandbox " + id_);
  }
  Json process = ProcessSpec(spec.args, env, cwd, user_, ClampedNofile());
  // The process file may hold secrets in env: 0600, never argv, removed after use.
  std::string file = paths_.dir + "/exec-" + std::to_string(exec_seq_++) + ".json";
  RETURN_IF_ERROR(WriteScratchFile(file, DumpJson(process), 0600));
  SubprocessOptions options;
  options.on_line = spec.on_line ? spec.on_line : [](const std::string&, bool, bool) {};
  auto r = RunCrun(paths_, {"exec", "--process", file, id_}, options);
  ::unlink(file.c_str());
  if (!r.ok()) return r.status().WithContext("exec in sandbox " + id_);
  return r->exit_code;
}

std::string CrunSandbox::HostPath(const std::string& sandbox_path) const {
  const BindMount* best = nullptr;
  for (const auto& m : spec_.mounts) {
    const std::string& d = m.destination;
    bool under =
        sandbox_path == d || (sandbox_path.rfind(d, 0) == 0 && sandbox_path[d.size()] == '/');
    if (under && (best == nullptr || d.size() > best->destination.size())) best = &m;
  }
  if (best == nullptr) return JoinPath(paths_.dir + "/rootfs", sandbox_path);
  return best->source + sandbox_path.substr(best->destination.size());
}

Status CrunSandbox::Signal(int sig) {
  // crun's `kill --all` would reach kiln-init too and end the sandbox; so: its cgroup's
  // processes (crun ps) except the init (crun state).
  ASSIGN_OR_RETURN(SubprocessResult state, Crun({"state", id_}));
  ASSIGN_OR_RETURN(Json st, ParseJson(state.out));
  ASSIGN_OR_RETURN(SubprocessResult ps, Crun({"ps", "--format", "json", id_}));
  ASSIGN_OR_RETURN(Json pids, ParseJson(ps.out));
  int64_t init = st.value("pid", int64_t{0});
  for (const auto& p : pids) {
    if (p.is_number_integer() && p.get<int64_t>() != init)
      ::kill(static_cast<pid_t>(p.get<int64_t>()), sig);
  }
  return Status::Ok();
}

Status CrunSandbox::Freeze() { return Crun({"pause", id_}).status().WithContext("freeze " + id_); }
Status CrunSandbox::Thaw() { return Crun({"resume", id_}).status().WithContext("thaw " + id_); }

Status CrunSandbox::Destroy() {
  if (destroyed_.exchange(true)) return Status::Ok();
  return DestroyAt(id_, paths_);
}

Status CrunSandbox::DestroyKeepingUpper(const std::string& dest) {
  if (destroyed_.exchange(true))
    return FailedPrecondition("sandbox " + id_ + " is already destroyed");
  return DestroyAt(id_, paths_, dest);
}

Status CrunSandbox::DestroyAt(const std::string& id, const CrunPaths& paths,
                              const std::string& keep_upper_to) {
  // --force kills the sandbox's init, which takes every process of its PID namespace with it,
  // and crun then kills whatever is left in the cgroup before removing it.
  auto deleted = RunCrun(paths, {"delete", "--force", id});
  // Off its network (CNI DEL, the others' hosts files) once nothing runs in it.
  Status net = ReleaseSandboxNet(paths.state, id, paths.dir);
  if (!net.ok()) LogWarn("sandbox " + id + ": " + net.message());
  std::string rootfs = paths.dir + "/rootfs";
  RETURN_IF_ERROR(snapshot::Unmount(rootfs));
  Status kept;
  if (!keep_upper_to.empty() &&
      ::rename((paths.dir + "/upper").c_str(), keep_upper_to.c_str()) != 0) {
    kept = ErrnoStatus("keep upper dir of " + id, errno);
  }
  Status removed = RemoveTree(paths.dir);
  if (!removed.ok()) return removed.WithContext("remove sandbox " + id);
  if (deleted.ok() && deleted->exit_code != 0 &&
      deleted->err.find("does not exist") == std::string::npos &&
      deleted->err.find("not found") == std::string::npos) {
    LogDebug("crun delete " + id + ": " + deleted->err);
  }
  return kept;
}

}  // namespace kiln::runtime
