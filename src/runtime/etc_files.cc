#include "runtime/etc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/fs.h"
#include "runtime/network.h"

namespace kiln::runtime {
namespace {

// The image's /etc as overlay shows it: the topmost layer that has an entry for it. A whiteout
// (a 0/0 character device) there means the image has none.
std::optional<struct stat> ImageEtc(const std::vector<std::string>& lower_dirs) {
  for (auto it = lower_dirs.rbegin(); it != lower_dirs.rend(); ++it) {
    struct stat st {};
    if (::lstat((*it + "/etc").c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return std::nullopt;
    return st;
  }
  return std::nullopt;
}

}  // namespace

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
  auto etc = ImageEtc(spec.lower_dirs);
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
  out.layer = dir + "/etc-layer";
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
  if (etc) {
    if (::chmod(layer_etc.c_str(), etc->st_mode & 07777) != 0 ||
        ::lchown(layer_etc.c_str(), etc->st_uid, etc->st_gid) != 0) {
      return ErrnoStatus("copy the image's /etc owner and mode to " + layer_etc, errno);
    }
    timespec times[2] = {etc->st_atim, etc->st_mtim};
    if (::utimensat(AT_FDCWD, layer_etc.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("copy the image's /etc times to " + layer_etc, errno);
    }
  }
  return out;
}

}  // namespace kiln::runtime
