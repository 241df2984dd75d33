#include "runtime/netns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "base/fd.h"
#include "base/json.h"
#include "base/subprocess.h"

namespace kiln::runtime {
namespace {

// One connect attempt from the calling thread's namespace, bounded by `seconds`.
bool Connects(const std::string& address, uint16_t port, double seconds) {
  sockaddr_storage sa{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&sa);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&sa);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    return false;
  }
  UniqueFd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd p{fd.get(), POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(seconds * 1000)) != 1) return false;
  int error = 0;
  socklen_t error_len = sizeof(error);
  return ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &error_len) == 0 && error == 0;
}

}  // namespace

bool TcpConnectsIn(const std::string& path, const std::string& address, uint16_t port,
                   double seconds) {
  auto ns = Open(path, O_RDONLY | O_CLOEXEC);
  if (!ns.ok()) return false;
  bool connected = false;
  // setns changes only the calling thread's namespace: a thread of its own, then it ends.
  std::thread([&] {
    if (::setns(ns->get(), CLONE_NEWNET) == 0) connected = Connects(address, port, seconds);
  }).join();
  return connected;
}

namespace {

// IPv6 off on every link the namespace gets but loopback (as the caller's thread is in it:
// /proc/sys/net is the calling thread's namespace's). The fence is IPv4 routes; without this,
// eth0's link-local address would reach the host's services on [::] (fe80::…%eth0).
// Ok on a kernel without IPv6.
Status DisableIpv6() {
  for (const char* conf : {"all", "default", "lo"}) {
    std::string file = std::string("/proc/sys/net/ipv6/conf/") + conf + "/disable_ipv6";
    auto fd = Open(file, O_WRONLY | O_CLOEXEC);
    if (!fd.ok() && fd.status().code() == Code::kNotFound) return Status::Ok();
    if (!fd.ok()) return fd.status();
    RETURN_IF_ERROR(WriteAll(fd->get(), std::string(conf) == "lo" ? "0" : "1"));
  }
  return Status::Ok();
}

}  // namespace

Status MakeNetns(const std::string& path) {
  { ASSIGN_OR_RETURN(UniqueFd f, Open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)); }
  // unshare(CLONE_NEWNET) changes only the calling thread's namespace: a thread of its own
  // makes it and pins it, then ends.
  Status made;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      made = ErrnoStatus("unshare a network namespace", errno);
      return;
    }
    made = DisableIpv6();
    if (!made.ok()) return;
    if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      made = ErrnoStatus("pin the network namespace at " + path, errno);
  }).join();
  if (!made.ok()) {
    (void)::unlink(path.c_str());
    return made;
  }
  Status lo = IpIn(path, {"link", "set", "lo", "up"});
  if (!lo.ok()) (void)ReleaseNetns(path);
  return lo;
}

Status ReleaseNetns(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return ErrnoStatus("unmount network namespace " + path, errno);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove " + path, errno);
  return Status::Ok();
}

Status IpIn(const std::string& path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"nsenter", "--net=" + path, "ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunChecked(argv);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<std::string>> HostAddresses() {
  ASSIGN_OR_RETURN(auto r, RunChecked({"ip", "-j", "-4", "addr", "show"}));
  std::vector<std::string> out;
  auto j = ParseJson(r.out);
  if (!j.ok()) return j.status().WithContext("ip -j addr");
  for (const auto& link : *j) {
    for (const auto& a : link.value("addr_info", Json::array())) {
      std::string local = a.value("local", "");
      if (!local.empty() && local.rfind("127.", 0) != 0) out.push_back(local);
    }
  }
  return out;
}

Status BlockAddresses(const std::string& path, const std::vector<std::string>& addresses,
                      const std::string& own_subnet,
                      const std::vector<std::pair<std::string, uint16_t>>& published,
                      const std::vector<std::string>& dns) {
  // One `ip -batch`: a process per route would cost more than the CNI plugins.
  std::string table = std::to_string(kFenceTable);
  std::string batch;
  // A published port's replies go to the host (an address of its own, or the gateway after
  // portmap's SNAT); elsewhere its source port is fenced like any other.
  for (const auto& [proto, port] : published) {
    for (const auto& a : addresses) {
      batch += "rule add pref 100 to " + a + " ipproto " + proto + " sport " +
               std::to_string(port) + " lookup main\n";
    }
  }
  for (const auto& ns : dns) {
    for (const char* proto : {"udp", "tcp"})
      batch += "rule add pref 100 to " + ns + " ipproto " + proto + " dport 53 lookup main\n";
  }
  batch += "rule add pref 200 lookup " + table + "\n";
  batch += "route add prohibit 169.254.0.0/16 table " + table + "\n";
  // Other kiln networks are fenced off (as docker isolates its bridge networks); the own one's
  // longer `throw` route sends its lookups on to the main table. Host addresses in it (the
  // gateway) are /32s: longer still, so prohibited.
  batch += std::string("route add prohibit ") + kKilnRange + " table " + table + "\n";
  if (!own_subnet.empty()) batch += "route add throw " + own_subnet + " table " + table + "\n";
  // replace, not add: an address held by two interfaces at once (two state dirs' bridges on one
  // subnet, while other kiln processes run) is listed twice, and a second add fails (EEXIST).
  for (const auto& a : addresses) batch += "route replace prohibit " + a + " table " + table + "\n";
  SubprocessOptions o;
  o.stdin_data = batch;
  auto r = RunChecked({"nsenter", "--net=" + path, "ip", "-batch", "-"}, o);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace kiln::runtime
