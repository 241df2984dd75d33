#include "runtime/sandbox_record.h"

#include "base/sha256.h"

namespace kiln::runtime {

Json SpecToJson(const SandboxSpec& spec, int64_t created) {
  Json mounts = Json::array();
  for (const auto& m : spec.mounts) {
    mounts.push_back(
        {{"source", m.source}, {"destination", m.destination}, {"read_only", m.read_only}});
  }
  Json ports = Json::array();
  for (const auto& p : spec.ports) {
    ports.push_back({{"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol},
                     {"host_ip", p.host_ip}});
  }
  return {{"name", spec.name},
          {"lower_dirs", spec.lower_dirs},
          {"image", Json::parse(oci::SerializeImageConfig(spec.image))},
          {"mounts", mounts},
          {"size", spec.size ? spec.size->name : ""},
          {"disk", spec.size ? spec.size->disk_bytes : 0},
          {"hostname", spec.hostname},
          {"network", spec.network},
          {"aliases", spec.aliases},
          {"ports", ports},
          {"persistent", spec.persistent},
          {"labels", spec.labels},
          {"created", created}};
}

std::string PoolKey(const SandboxSpec& spec) {
  Json what = {{"lower_dirs", spec.lower_dirs},
               {"image", oci::SerializeImageConfig(spec.image)},
               {"size", spec.size ? spec.size->name : ""},
               {"hostname", spec.hostname},
               {"network", spec.network}};
  // A pooled sandbox joined its network with its names and ports: they are part of the key
  // (left out when empty, so keys without them stay as before).
  if (!spec.aliases.empty()) what["aliases"] = spec.aliases;
  for (const auto& p : spec.ports) {
    what["ports"].push_back(std::to_string(p.host_port) + ":" + std::to_string(p.container_port) +
                            "/" + p.protocol + "@" + p.host_ip);
  }
  return Sha256::Hex(DumpJson(what)).substr(0, 16);
}

Result<SandboxSpec> SpecFromJson(const Json& j, int64_t* created) {
  try {
    SandboxSpec s;
    s.name = j.at("name").get<std::string>();
    s.lower_dirs = j.at("lower_dirs").get<std::vector<std::string>>();
    ASSIGN_OR_RETURN(s.image, oci::ParseImageConfig(DumpJson(j.at("image"))));
    for (const auto& m : j.at("mounts")) {
      s.mounts.push_back({m.at("source").get<std::string>(), m.at("destination").get<std::string>(),
                          m.at("read_only").get<bool>()});
    }
    std::string size = j.at("size").get<std::string>();
    // A size recorded before sizes were checked (3x9) leaves the sandbox listed, unsized.
    if (auto parsed = ParseSize(size); parsed.ok()) {
      s.size = *parsed;
      s.size->disk_bytes =
          j.value("disk", s.size->disk_bytes);  // the config's figure, if it set one
    }
    s.hostname = j.at("hostname").get<std::string>();
    // Records before kiln networks held a bool: true was the host's network.
    const Json& net = j.at("network");
    s.network =
        net.is_boolean() ? (net.get<bool>() ? kHostNetwork : kNoNetwork) : net.get<std::string>();
    // Records before aliases and ports had neither.
    s.aliases = j.value("aliases", std::vector<std::string>{});
    for (const auto& p : j.value("ports", Json::array())) {
      s.ports.push_back({p.at("host_port").get<uint16_t>(), p.at("container_port").get<uint16_t>(),
                         p.at("protocol").get<std::string>(), p.at("host_ip").get<std::string>()});
    }
    s.persistent = j.at("persistent").get<bool>();
    s.labels = j.at("labels").get<std::map<std::string, std::string>>();
    if (created) *created = j.at("created").get<int64_t>();
    return s;
  } catch (const Json::exception& e) {
    return DataLoss(std::string("sandbox record: ") + e.what());
  }
}

}  // namespace kiln::runtime
