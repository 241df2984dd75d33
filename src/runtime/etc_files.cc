#include "runtime/etc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/fs.h"
#include "runtime/network.h"
#include "runtime/snapshot_command.h"

namespace kiln::runtime {

Status ValidateHostname(const std::string& hostname) {
  bool ok = !hostname.empty() && hostname.size() <= 64;
  for (char c : hostname) {
    ok &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.';
  }
  if (ok) return Status::Ok();
  return InvalidArgument("sandbox hostname \"" + hostname +
                         "\" is not 1 to 64 letters, digits, '-' and '.'");
}

std::string LocalhostLines() {
  return "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\n"
         "ff02::1\tip6-allnodes\n"
         "ff02::2\tip6-allrouters\n";
}

std::string HostsFile(const std::string& hostname, const std::string& host_hosts) {
  std::string out = host_hosts;
  if (out.empty()) {
    out = LocalhostLines();
  } else if (out.back() != '\n') {
    out += '\n';
  }
  return out + "127.0.0.1\t" + hostname + "\n";
}

std::string NetworkResolvConf() {
  for (const char* path : {"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"}) {
    auto host = ReadFile(path);
    std::string conf = host.ok() ? SandboxResolvConf(*host) : "";
    if (!conf.empty()) return conf;
  }
  return "";
}

Result<EtcFiles> MakeEtcFiles(const std::string& dir, const SandboxSpec& spec) {
  RETURN_IF_ERROR(ValidateHostname(spec.hostname));
  auto etc = ImageEntry(spec.lower_dirs, "etc");
  if (etc && !S_ISDIR(etc->st_mode)) return EtcFiles{};
  std::string host_hosts;
  if (spec.network == kHostNetwork) {
    auto host = ReadFile("/etc/hosts");
    if (host.ok()) host_hosts = *host;
  }
  EtcFiles out;
  RETURN_IF_ERROR(MakeDirs(dir + "/etc", 0755));
  RETURN_IF_ERROR(WriteScratchFile(dir + "/etc/hosts", HostsFile(spec.hostname, host_hosts), 0644));
  RETURN_IF_ERROR(WriteScratchFile(dir + "/etc/hostname", spec.hostname + "\n", 0644));
  out.layer = dir + "/" + kSandboxLayer;
  std::string layer_etc = out.layer + "/etc";
  RETURN_IF_ERROR(MakeDirs(layer_etc, 0755));
  std::vector<std::string> names = {"hosts", "hostname"};
  if (spec.network != kNoNetwork && spec.network != kHostNetwork) {
    RETURN_IF_ERROR(WriteScratchFile(dir + "/etc/resolv.conf", NetworkResolvConf(), 0644));
    names.push_back("resolv.conf");
  }
  for (const auto& name : names) {
    RETURN_IF_ERROR(WriteScratchFile(layer_etc + "/" + name, "", 0644));
    out.mounts.push_back({dir + "/etc/" + name, "/etc/" + name, false});
  }
  if (etc) RETURN_IF_ERROR(CopyDirAttributes(layer_etc, *etc));
  return out;
}

}  // namespace kiln::runtime
