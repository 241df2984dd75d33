// Pure parts of kiln networks (network.h): names, subnets, hosts and resolv.conf rendering,
// member records.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <set>
#include <sstream>

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
