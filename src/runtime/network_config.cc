// Pure parts of kiln networks (network.h): names, subnets, hosts and resolv.conf rendering,
// member records, free host ports.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

#include "base/fd.h"
#include "runtime/etc_files.h"
#include "runtime/network.h"

namespace kiln::runtime {
namespace {

// [first, last] of an IPv4 prefix "a.b.c.d/len" ("default" is everything); false if unparsable.
bool Range(const std::string& prefix, uint32_t& first, uint32_t& last) {
  if (prefix == "default") {
    first = 0, last = 0xffffffff;
    return true;
  }
  std::string addr = prefix.substr(0, prefix.find('/'));
  int len =
      prefix.find('/') == std::string::npos ? 32 : std::atoi(prefix.c_str() + addr.size() + 1);
  in_addr a{};
  if (::inet_pton(AF_INET, addr.c_str(), &a) != 1 || len < 0 || len > 32) return false;
  uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  first = ntohl(a.s_addr) & mask;
  last = first | ~mask;
  return true;
}

}  // namespace

Status ValidateNetworkName(const std::string& name) {
  bool ok =
      !name.empty() && name.size() <= 64 && name[0] != '.' && name != "host" && name != "none";
  for (char c : name)
    ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  if (ok) return Status::Ok();
  return InvalidArgument("network name \"" + name +
                         "\" is not 1 to 64 letters, digits, '-', '_' and '.' (nor host, none)");
}

Result<PortMapping> ParsePortMapping(const std::string& text) {
  auto bad = [&] {
    return InvalidArgument("port \"" + text + "\" is not [HOST_IP:][HOST_PORT:]PORT[/tcp|/udp]");
  };
  PortMapping m;
  std::string rest = text;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    m.protocol = rest.substr(slash + 1);
    rest.resize(slash);
    if (m.protocol != "tcp" && m.protocol != "udp") return bad();
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return bad();
  auto port = [&](const std::string& p, bool zero_ok, uint16_t& out) {
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
      return false;
    int v = std::atoi(p.c_str());
    out = static_cast<uint16_t>(v);
    return v <= 65535 && (zero_ok || v > 0);
  };
  if (!port(parts.back(), false, m.container_port)) return bad();
  if (parts.size() >= 2 && !parts[parts.size() - 2].empty() &&
      !port(parts[parts.size() - 2], true, m.host_port))
    return bad();
  if (parts.size() == 3) {
    in_addr a{};
    if (!parts[0].empty() && ::inet_pton(AF_INET, parts[0].c_str(), &a) != 1) return bad();
    m.host_ip = parts[0];
  }
  return m;
}

Result<NetworkConfig> PickSubnet(const std::vector<std::string>& taken,
                                 const std::vector<std::string>& routes) {
  std::set<std::string> used(taken.begin(), taken.end());
  for (int n = 0; n < 256; ++n) {
    std::string subnet = "10.89." + std::to_string(n) + ".0/24";
    if (used.count(subnet)) continue;
    uint32_t first = 0, last = 0;
    Range(subnet, first, last);
    bool clash = false;
    for (const auto& r : routes) {
      uint32_t rf = 0, rl = 0;
      // The default route overlaps everything yet is no clash: the bridge's route is longer.
      if (r != "default" && Range(r, rf, rl) && rf <= last && first <= rl) clash = true;
    }
    if (clash) continue;
    NetworkConfig c;
    c.subnet = subnet;
    c.gateway = "10.89." + std::to_string(n) + ".1";
    c.bridge = "kiln" + std::to_string(n);
    return c;
  }
  return Unavailable("no free /24 left in 10.89.0.0/16 for a kiln network");
}

std::string MembersHosts(const NetMember& self, const std::vector<NetMember>& members,
                         const std::string& current) {
  std::string out = LocalhostLines();
  auto line = [&](const NetMember& m) {
    if (m.address.empty()) return;
    out += m.address + "\t" + m.hostname;
    for (const auto& a : m.aliases) out += " " + a;
    out += "\n";
  };
  line(self);
  for (const auto& m : members)
    if (m.sandbox_id != self.sandbox_id) line(m);
  size_t end = current.find(kHostsEnd);
  std::string kept = end == std::string::npos ? current : current.substr(end + strlen(kHostsEnd));
  return out + kHostsEnd + kept;
}

Result<uint16_t> FreeHostPort(const std::string& protocol) {
  int type = protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return ErrnoStatus("socket", errno);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  socklen_t len = sizeof(a);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return ErrnoStatus("find a free " + protocol + " port", errno);
  return ntohs(a.sin_port);
}

std::string SandboxResolvConf(const std::string& host_resolv) {
  std::istringstream in(host_resolv);
  std::string out, line;
  bool any = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "nameserver") {
      if (value.rfind("127.", 0) == 0 || value == "::1") continue;
      any = true;
    }
    out += line + "\n";
  }
  return any ? out : "";
}

Json MemberToJson(const NetMember& m) {
  Json ports = Json::array();
  for (const auto& p : m.ports) {
    ports.push_back({{"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol},
                     {"host_ip", p.host_ip}});
  }
  return {{"sandbox", m.sandbox_id},    {"hostname", m.hostname},    {"aliases", m.aliases},
          {"hosts_file", m.hosts_file}, {"netns", m.netns},          {"ports", ports},
          {"address", m.address},       {"cni_result", m.cni_result}};
}

Result<NetMember> MemberFromJson(const Json& j) {
  try {
    NetMember m;
    m.sandbox_id = j.at("sandbox").get<std::string>();
    m.hostname = j.at("hostname").get<std::string>();
    m.aliases = j.at("aliases").get<std::vector<std::string>>();
    m.hosts_file = j.at("hosts_file").get<std::string>();
    m.netns = j.at("netns").get<std::string>();
    for (const auto& p : j.at("ports")) {
      m.ports.push_back({p.at("host_port").get<uint16_t>(), p.at("container_port").get<uint16_t>(),
                         p.at("protocol").get<std::string>(), p.at("host_ip").get<std::string>()});
    }
    m.address = j.at("address").get<std::string>();
    m.cni_result = j.at("cni_result");
    return m;
  } catch (const Json::exception& e) {
    return DataLoss(std::string("network member record: ") + e.what());
  }
}

}  // namespace kiln::runtime
