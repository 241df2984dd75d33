#include "runtime/sandbox_net.h"

#include <algorithm>
#include <sstream>

#include "base/fs.h"
#include "base/json.h"
#include "runtime/netns.h"
#include "runtime/network.h"

namespace kiln::runtime {
namespace {

Status WriteRecord(const std::string& dir, const SandboxNet& n) {
  Json ports = Json::array();
  for (const auto& p : n.ports) {
    ports.push_back({{"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol},
                     {"host_ip", p.host_ip}});
  }
  Json j = {{"network", n.network}, {"netns", n.netns}, {"address", n.address}, {"ports", ports}};
  return WriteFileAtomic(dir + "/net.json", DumpJson(j, 2), 0600);
}

// The nameservers of the sandbox's resolv.conf (etc_files.h) that are among `host`.
std::vector<std::string> HostNameservers(const std::string& dir,
                                         const std::vector<std::string>& host) {
  std::vector<std::string> out;
  auto conf = ReadFile(dir + "/etc/resolv.conf");
  std::istringstream in(conf.ok() ? *conf : "");
  std::string key, value;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    if (words >> key >> value && key == "nameserver" &&
        std::find(host.begin(), host.end(), value) != host.end())
      out.push_back(value);
  }
  return out;
}

}  // namespace

bool IsKiln(const std::string& network) { return network != kNoNetwork && network != kHostNetwork; }

Result<SandboxNet> AttachSandboxNet(const std::string& state, const std::string& id,
                                    const std::string& dir, const SandboxSpec& spec,
                                    const std::string& hosts_file) {
  RETURN_IF_ERROR(ValidateNetworkName(spec.network));
  SandboxNet n;
  n.network = spec.network;
  n.netns = dir + "/netns";
  // Recorded first, so a clean-up after any later failure knows what to release.
  RETURN_IF_ERROR(WriteRecord(dir, n));
  RETURN_IF_ERROR(MakeNetns(n.netns));
  NetMember m;
  m.sandbox_id = id;
  m.hostname = spec.hostname;
  m.aliases = spec.aliases;
  m.hosts_file = hosts_file;
  m.netns = n.netns;
  m.ports = spec.ports;
  ASSIGN_OR_RETURN(NetMember joined, JoinNetwork(state, spec.network, m));
  n.address = joined.address;
  n.ports = joined.ports;
  RETURN_IF_ERROR(WriteRecord(dir, n));
  ASSIGN_OR_RETURN(auto host, HostAddresses());
  std::vector<std::pair<std::string, uint16_t>> published;
  for (const auto& p : n.ports) published.emplace_back(p.protocol, p.container_port);
  // kiln networks are /24s (PickSubnet).
  std::string own = n.address.empty() ? "" : n.address.substr(0, n.address.rfind('.')) + ".0/24";
  RETURN_IF_ERROR(BlockAddresses(n.netns, host, own, published, HostNameservers(dir, host))
                      .WithContext("fence sandbox " + id));
  return n;
}

Result<SandboxNet> ReadSandboxNet(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/net.json"));
  ASSIGN_OR_RETURN(Json j, ParseJson(text, dir + "/net.json"));
  try {
    SandboxNet n;
    n.network = j.at("network").get<std::string>();
    n.netns = j.at("netns").get<std::string>();
    n.address = j.at("address").get<std::string>();
    for (const auto& p : j.at("ports")) {
      n.ports.push_back({p.at("host_port").get<uint16_t>(), p.at("container_port").get<uint16_t>(),
                         p.at("protocol").get<std::string>(), p.at("host_ip").get<std::string>()});
    }
    return n;
  } catch (const Json::exception& e) {
    return DataLoss(dir + "/net.json: " + e.what());
  }
}

Status ReleaseSandboxNet(const std::string& state, const std::string& id, const std::string& dir) {
  auto n = ReadSandboxNet(dir);
  if (!n.ok() && n.status().code() == Code::kNotFound) return ReleaseNetns(dir + "/netns");
  if (!n.ok()) return n.status();
  Status left = LeaveNetwork(state, n->network, id);
  Status released = ReleaseNetns(n->netns);
  return left.ok() ? released : left;
}

}  // namespace kiln::runtime
