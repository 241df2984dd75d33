// The crun-backed Sandbox (internal to runtime/). A sandbox lives in <state>/sandboxes/<id>:
//   owner        "<pid> <start time>" of the kiln process that owns it, or "detached" for a
//                long-lived sandbox (kiln sandbox create); SweepOrphans removes a sandbox whose
//                owner is gone
//   upper/ work/ the overlay's upper and work dirs; rootfs/ the overlay mount
//   config.json  the OCI runtime config (the dir is crun's bundle)
//   etc/ etc-layer/  the sandbox's /etc/hosts and /etc/hostname (etc_files.h)
//   spec.json    what the sandbox was made from (name, image env, mounts, size), for Attach
//   agent.sock   kiln-init's exec agent (agent.h); Exec falls back to `crun exec` without it
//   init.pid     the host pid of kiln-init
//   netns net.json  on a kiln network: the pinned network namespace and what was joined
//                (sandbox_net.h)
//   pool, claim  warm-pool bookkeeping (crun_pool.h); owner then reads "pool <token>"
// It is made as <state>/sandboxes/.new-<id>-<pid>.<start> of its maker, holding owner and
// spec.json, and renamed to <id>: a sandbox dir never lacks its owner file.
#pragma once

#include <atomic>
#include <string>

#include "base/subprocess.h"
#include "runtime/sandbox.h"
#include "runtime/sandbox_net.h"
#include "runtime/spec.h"

namespace kiln::runtime {

inline constexpr const char* kAgentSocket = "agent.sock";
inline constexpr const char* kStagingPrefix = ".new-";

struct CrunPaths {
  std::string crun;       // the crun binary
  std::string crun_root;  // crun --root
  std::string dir;        // the sandbox dir
  std::string state;      // RuntimeOptions::state_dir (kiln networks live there)
};

// An fd of a sealed in-memory copy of the crun binary at `crun` (made once per process), for
// SubprocessOptions::exec_fd. crun defends against CVE-2019-5736 (a container overwriting the
// runtime's binary through /proc/PID/exe) by copying itself before its commands (run, exec, delete,
// …) unless it runs from a fully sealed memfd, which nothing can write; starting it from one skips
// that copy and re-exec. -1 when no copy can be made (not an ELF binary, no memfd); crun then
// protects itself as usual, as it does when a policy refuses to execute the copy (exec_fd falls
// back to the path). The copy is equivalent for that defence; a path-based AppArmor profile for
// crun would no longer attach, which Debian does not ship.
int SealedCrunFd(const std::string& crun);

// `crun --root <paths.crun_root> args…`, started from SealedCrunFd. With `checked`, a non-zero
// exit is an error carrying crun's stderr (RunChecked).
Result<SubprocessResult> RunCrun(const CrunPaths& paths, const std::vector<std::string>& args,
                                 SubprocessOptions options = {}, bool checked = false);

class CrunSandbox : public Sandbox {
 public:
  CrunSandbox(std::string id, CrunPaths paths, SandboxSpec spec, User user)
      : id_(std::move(id)), paths_(std::move(paths)), spec_(std::move(spec)), user_(user) {
    if (auto net = ReadSandboxNet(paths_.dir); net.ok()) net_ = *net;
  }
  ~CrunSandbox() override;

  const std::string& id() const override { return id_; }
  // With a size whose disk figure is set, the upper dir is held to it (disk_watch.h): an Exec
  // that finds it over the limit, before, during or after the command, fails with a message
  // naming the limit, and a command running then is killed with every other process of the
  // sandbox but its init.
  Result<int> Exec(const ExecSpec& spec) override;
  // Through kiln-init's agent (the log file's fd passed as stdout and stderr); without an agent,
  // `crun exec --detach` with its output appended to the log.
  Status Spawn(const ExecSpec& spec, const std::string& log_file) override;
  std::string HostPath(const std::string& sandbox_path) const override;
  std::string UpperDir() const override { return paths_.dir + "/upper"; }
  Status Signal(int sig) override;
  Status Freeze() override;
  Status Thaw() override;
  Status CheckDisk() const override;  // disk_watch.h
  Status Destroy() override;
  Status DestroyKeepingUpper(const std::string& dest) override;
  // Keeps the sandbox when this object is destroyed (long-lived and pooled sandboxes).
  void Detach() { detached_ = true; }
  void MarkFromPool() { from_pool_ = true; }
  bool from_pool() const override { return from_pool_; }
  std::string Address() const override { return net_.address; }
  std::vector<PortMapping> PublishedPorts() const override { return net_.ports; }
  bool AcceptsTcp(uint16_t port, double seconds) const override;  // crun_sandbox.cc

  // Tears down whatever exists of the sandbox in `paths.dir` (crun state, mount, dirs).
  // With `keep_upper_to`, the upper dir is moved there after the unmount.
  static Status DestroyAt(const std::string& id, const CrunPaths& paths,
                          const std::string& keep_upper_to = "");

 private:
  Result<SubprocessResult> Crun(const std::vector<std::string>& args);
  Result<int> ExecUnwatched(const ExecSpec& spec);
  // The environment and cwd an exec gets: the spec's, else the image's.
  std::vector<std::string> EnvFor(const ExecSpec& spec) const;
  std::string CwdFor(const ExecSpec& spec) const;
  std::string id_;
  CrunPaths paths_;
  SandboxSpec spec_;
  User user_;
  std::atomic<bool> destroyed_{false};  // Destroy may race a cancelling thread's
  bool detached_ = false;
  bool from_pool_ = false;
  SandboxNet net_;  // on a kiln network (read from net.json)
  std::atomic<int> exec_seq_{0};
};

}  // namespace kiln::runtime
