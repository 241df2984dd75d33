// A sandbox's /etc/hosts and /etc/hostname (internal to runtime/; the contract is in sandbox.h).
// They are files in the sandbox dir, bind-mounted over the image's as docker and podman do, so
// that what a job writes to them never reaches the upper dir (nor a snapshot). The mount
// targets come from a small lower layer of the sandbox's own (docker's "init layer"), put on
// top of the image's layers, so crun never creates them in the upper dir either:
//   etc/hosts, etc/hostname        the files the sandbox sees (mount sources)
//   etc-layer/etc/{hosts,hostname} empty placeholders; etc-layer/etc has the image's /etc mode,
//                                  owner and times, so a copy-up of /etc keeps the image's
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

// The sandbox's own lower layer, in its dir: mount targets (these and snapshot_command.h's).
inline constexpr const char* kSandboxLayer = "etc-layer";

// InvalidArgument unless `hostname` is 1 to 64 letters, digits, '-' and '.' (what a hosts file
// and sethostname take without surprise; no spaces or newlines to add entries).
Status ValidateHostname(const std::string& hostname);

// localhost on 127.0.0.1 and ::1 and docker's IPv6 names, one a line.
std::string LocalhostLines();

// The hosts file: localhost on 127.0.0.1 and ::1 and docker's IPv6 names, then `hostname` on
// 127.0.0.1 (podman's entry for a container without a network). With `host_hosts` (a
// sandbox on the host's network): that file, then the hostname line.
std::string HostsFile(const std::string& hostname, const std::string& host_hosts = "");

// /etc/resolv.conf for a sandbox on a kiln network: the host's without nameservers on
// 127.0.0.0/8 (SandboxResolvConf), or else systemd-resolved's upstream one; "" when neither
// has a nameserver left.
std::string NetworkResolvConf();

struct EtcFiles {
  std::string layer;              // lower dir to stack on top of the image's layers; "" = none
  std::vector<BindMount> mounts;  // /etc/hosts, /etc/hostname (+ /etc/resolv.conf on a network)
};

// Writes the files above into `dir` for `spec`. None (an empty EtcFiles) when the image's /etc
// is not a directory (a symlink: the targets would land elsewhere).
Result<EtcFiles> MakeEtcFiles(const std::string& dir, const SandboxSpec& spec);

}  // namespace kiln::runtime
