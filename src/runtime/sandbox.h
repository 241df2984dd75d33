// Sandboxes: a root filesystem (overlay of cached layers + a fresh upper dir) with a long-lived
// container in it, into which commands are exec'd. The Runtime interface has the real
// implementation (crun, crun_runtime.h) and a fake that runs commands on the host (for tests of
// the layers above); both pass the suite in sandbox_test.cc / sandbox_itest.cc.
//
// Threads: one Runtime may be used from many threads at once (several jobs of one kiln process
// creating, filling pools, listing and destroying sandboxes), and several kiln processes may
// share one state dir. A Sandbox object belongs to one job: call its methods from one thread at a
// time, except Signal (and Destroy, to cancel), which may come from another thread while Exec
// runs. Nothing here changes process-wide state (cwd, umask, signal dispositions, namespaces of
// the calling thread); what is entered or changed is entered in a child process or thread.
//
// Every sandbox (crun) has an /etc/hosts (localhost on 127.0.0.1 and ::1, the spec's hostname on
// 127.0.0.1 as podman gives a --network none container; with network, the host's /etc/hosts
// and the hostname) and an /etc/hostname, bind-mounted from files in the sandbox's own dir, as
// docker and podman mount theirs: writable, never in the upper dir, so never in a snapshot.
// Likewise every crun sandbox has the kiln-snapshot command at /usr/local/bin/kiln-snapshot
// (kiln-init's binary, bind-mounted read-only; not when the image's /usr/local/bin is not a
// directory), which asks for ExecSpec::on_snapshot; the fake has none.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "oci/types.h"
#include "runtime/size.h"

namespace kiln::runtime {

struct BindMount {
  std::string source;       // host path: a dir (made when missing) or a file
  std::string destination;  // path in the sandbox
  bool read_only = false;
};

// A port of a sandbox published on the host (podman's -p HOST:CONTAINER).
struct PortMapping {
  uint16_t host_port = 0;  // 0: the runtime picks a free port (PublishedPorts() tells which)
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp or udp
  std::string host_ip;           // "" = every host address
};

// "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp]" as podman's -p takes it (no host port,
// or 0: the runtime picks one). InvalidArgument naming the text otherwise.
Result<PortMapping> ParsePortMapping(const std::string& text);

// The network a sandbox is on (SandboxSpec::network):
inline constexpr const char* kNoNetwork = "";        // its own namespace, loopback only
inline constexpr const char* kHostNetwork = "host";  // the host's (tests, debugging)

// InvalidArgument unless `name` can name a kiln network: 1 to 64 letters, digits, '-', '_' and
// '.', not starting with '.', and neither "host" nor "none".
Status ValidateNetworkName(const std::string& name);

struct SandboxSpec {
  std::string name;                     // for people and logs: "ci/build"
  std::vector<std::string> lower_dirs;  // layer dirs, bottom first
  oci::ImageConfig image;               // Env, User, WorkingDir are honoured
  std::vector<BindMount> mounts;
  std::optional<Size> size;  // cgroup limits and disk cap; none = no limits
  // Host dirs counted against the disk cap together with the upper dir: the sources of the
  // writable bind mounts on kiln's state filesystem (a job's $HOME, $RUNNER_TEMP, …), which a
  // job could otherwise fill past its cap.
  std::vector<std::string> disk_dirs;
  std::string hostname = "kiln";  // letters, digits, '-' and '.', at most 64 bytes
  // kNoNetwork: an own network namespace with loopback only (the default); kHostNetwork: the
  // host's; any other value names a kiln network (runtime/network.h: a bridge made on first
  // use and removed when its last sandbox leaves) that the sandbox joins with an address of its
  // own and egress through NAT, the host's addresses and 169.254.0.0/16 unreachable.
  std::string network;
  // On a kiln network: the names the other sandboxes on it reach this one by (the hostname is
  // always one), and the ports published on the host.
  std::vector<std::string> aliases;
  std::vector<PortMapping> ports;
  // A long-lived sandbox (kiln sandbox create): outlives the kiln process that made it, is
  // never swept, and is found again with Runtime::Attach.
  bool persistent = false;
  std::map<std::string, std::string> labels;  // free-form, shown by `kiln sandbox ls`
};

struct SandboxInfo {
  std::string id;
  SandboxSpec spec;
  int64_t created = 0;  // unix seconds
  std::string state;    // crun's: running, paused, stopped
};

// What `kiln-snapshot NAME [--version N.*]` run inside a sandbox asks for (runtime/init).
struct SnapshotAsk {
  std::string name;     // the image name, as given
  std::string version;  // the --version spec; "" = the next minor
};

struct ExecSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;  // "K=V": the full environment of the process
  std::string cwd;               // in the sandbox; empty = the image's WorkingDir or "/"
  // One call per line of output, live; is_stderr tells the stream. A line longer than
  // kMaxOutputLine (64 KiB, base/subprocess.h) comes in pieces of at most that size, each but
  // the last with `unfinished` set (the line goes on in the next call for that stream).
  std::function<void(const std::string& line, bool is_stderr, bool unfinished)> on_line;
  // Called (on the Exec thread) when a process of this exec runs the kiln-snapshot command that
  // kiln places in every sandbox; its answer (the reference made, or an error) is what the
  // command prints, and an error makes it exit non-zero. Null: kiln-snapshot says it is not
  // available in this sandbox and fails.
  std::function<Result<std::string>(const SnapshotAsk&)> on_snapshot;
};

class Sandbox {
 public:
  virtual ~Sandbox() = default;  // Destroys the sandbox if Destroy() was not called.
  virtual const std::string& id() const = 0;
  // Runs a process in the sandbox and returns its exit code exactly (128+N if killed by
  // signal N). An error Status only when it could not be run at all.
  virtual Result<int> Exec(const ExecSpec& spec) = 0;
  // Starts a process as Exec does but returns once it was handed to the sandbox, without waiting
  // for it: it runs on after this object and the kiln process are gone (a service's main
  // process), until it ends or the sandbox is destroyed. Its stdout and stderr are appended to
  // the host file `log_file` (made, mode 0600, when missing); on_line and on_snapshot are
  // ignored. A command that cannot be started says why in the log. Signal reaches it too.
  virtual Status Spawn(const ExecSpec& spec, const std::string& log_file) {
    (void)spec;
    (void)log_file;
    return FailedPrecondition("this runtime cannot start background processes");
  }
  // The host path behind a sandbox path under a bind mount (its source + the rest). Used to place
  // files (scripts, env files) that the sandbox sees. The fake translates the same way, and also
  // rewrites mount destinations to their sources in Exec's args, env values and cwd, so code
  // above can use sandbox paths with either implementation.
  virtual std::string HostPath(const std::string& sandbox_path) const = 0;
  // The overlay upper dir: everything the sandbox changed (empty for the fake).
  virtual std::string UpperDir() const = 0;
  // Sends `sig` to every process exec'd into the sandbox and their descendants, never to the
  // sandbox's own init: the sandbox lives on and later Execs work. Safe to call from another
  // thread while Exec runs (this is how a running step is cancelled).
  virtual Status Signal(int sig) = 0;
  // FailedPrecondition naming the size's disk limit when the upper dir and spec.disk_dirs hold
  // more than it; Ok without a disk cap (and for the fake).
  virtual Status CheckDisk() const { return Status::Ok(); }
  // Pauses / resumes every process in the sandbox (cgroup freezer).
  virtual Status Freeze() = 0;
  virtual Status Thaw() = 0;
  // Kills the container, deletes its runtime state, unmounts and removes its directories.
  // Idempotent.
  virtual Status Destroy() = 0;
  // On a kiln network: the sandbox's address there, and its published ports with the host port
  // the runtime picked for those that asked for 0. Empty otherwise.
  virtual std::string Address() const { return ""; }
  virtual std::vector<PortMapping> PublishedPorts() const { return {}; }
  // On a kiln network: true when a TCP connect to Address():port, made from inside the
  // sandbox's network namespace (the host's own connects are fenced off), succeeds within
  // `seconds`. False otherwise, and off a kiln network.
  virtual bool AcceptsTcp(uint16_t port, double seconds) const { return false; }
  // True when Create took this sandbox from the warm pool (started before the job asked).
  virtual bool from_pool() const { return false; }
  // Destroy(), except that the upper dir is first moved to `dest` (same filesystem) once the
  // overlay is unmounted, so it can become a layer-cache entry. Unimplemented for the fake
  // (FailedPrecondition).
  virtual Status DestroyKeepingUpper(const std::string& dest) = 0;
};

struct PoolEntry {
  std::string id;
  std::string key;      // PoolKey of the spec it was started for
  std::string name;     // the spec's name ("debian:bookworm 2x8")
  int64_t created = 0;  // unix seconds
};

// The warm pool: sandboxes started ahead of time, with no bind mounts, for an image and size.
// Sandboxes whose specs differ only in name, labels and bind mounts share a key (network,
// aliases and published ports are part of it: a pooled sandbox has joined its network).
std::string PoolKey(const SandboxSpec& spec);

class Runtime {
 public:
  virtual ~Runtime() = default;
  // A new sandbox. When the warm pool holds one for PoolKey(spec), that one is taken (at most
  // one caller gets it) and the spec's bind mounts are mounted into it; else one is started.
  virtual Result<std::unique_ptr<Sandbox>> Create(const SandboxSpec& spec) = 0;
  // Starts pooled sandboxes for `spec` (its mounts are ignored) until `count` wait for its key;
  // returns how many were started. Concurrent fills of one key do not overshoot.
  virtual Result<int> FillPool(const SandboxSpec& spec, int count) = 0;
  virtual Result<std::vector<PoolEntry>> ListPool() = 0;
  // Destroys every pooled sandbox no job has taken; returns how many.
  virtual Result<int> DrainPool() = 0;
  // A persistent sandbox made earlier, by id or unique id prefix. The returned object does not
  // destroy the sandbox when it goes away; Destroy() does.
  virtual Result<std::unique_ptr<Sandbox>> Attach(const std::string& id) = 0;
  // Persistent sandboxes.
  virtual Result<std::vector<SandboxInfo>> List() = 0;
  // Removes what killed kiln processes left behind: mounts, runtime state, cgroups, dirs, and
  // pooled sandboxes whose init has gone (after a reboot). Returns how many were swept.
  virtual Result<int> SweepOrphans() = 0;
  // The lower dirs (SandboxSpec::lower_dirs) of every sandbox that exists now: jobs', pooled,
  // persistent, and those being started, of this and of every other kiln process on the state
  // dir; each dir once, sorted. For layer GC: a layer dir not listed is mounted by no sandbox
  // (one started after this call returns is the caller's to exclude, e.g. by a lock). An error
  // when a sandbox's record cannot be read (then GC must keep everything).
  virtual Result<std::vector<std::string>> LayerDirsInUse() = 0;
};

struct RuntimeOptions {
  std::string state_dir;  // sandboxes live in <state_dir>/sandboxes/<id>
  std::string crun = "crun";
  std::string init_path;  // the static kiln-init binary; empty = found by FindKilnInit
};

// Where the static kiln-init binary is, looked for in this order: `configured` when not empty
// (RuntimeOptions::init_path: the config's init_path), else $KILN_INIT when set, else
// kiln-init beside the running binary (a build tree), else <exe_dir>/../libexec/kiln/kiln-init
// (where `cmake --install` puts it). A setting that names no executable file is an error (the
// places after it are not tried). FailedPrecondition, naming the places looked at and both
// settings, when none has it. `exe_dir`: the running binary's dir when empty (tests pass one).
// The crun runtime calls this at each sandbox start, so commands that start none do not need it.
Result<std::string> FindKilnInit(const std::string& configured, const std::string& exe_dir = "");

// The real runtime: overlayfs + crun. Fails with FailedPrecondition (and what to do) when the
// host cannot run it (not root, no crun, no overlayfs).
Result<std::unique_ptr<Runtime>> NewCrunRuntime(const RuntimeOptions& options);
// The fake: runs commands directly on the host, in a scratch dir; no isolation.
std::unique_ptr<Runtime> NewHostRuntime(const std::string& scratch_dir);

}  // namespace kiln::runtime
