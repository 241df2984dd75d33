#include "runtime/cni.h"

#include "base/subprocess.h"

namespace kiln::runtime {
namespace {

Json PortMappings(const std::vector<PortMapping>& ports) {
  Json out = Json::array();
  for (const auto& p : ports) {
    Json m = {
        {"hostPort", p.host_port}, {"containerPort", p.container_port}, {"protocol", p.protocol}};
    if (!p.host_ip.empty()) m["hostIP"] = p.host_ip;
    out.push_back(m);
  }
  return out;
}

// One plugin's config as libcni builds it from a conflist entry: cniVersion and name of the
// list, runtimeConfig for the capabilities it declares, and the chain's prevResult.
Json PluginConfig(const Json& conflist, const Json& plugin, const CniCall& call, const Json& prev) {
  Json c = plugin;
  c["cniVersion"] = conflist.at("cniVersion");
  c["name"] = conflist.at("name");
  if (plugin.contains("capabilities") && plugin["capabilities"].value("portMappings", false))
    c["runtimeConfig"] = {{"portMappings", PortMappings(call.ports)}};
  if (!prev.is_null()) c["prevResult"] = prev;
  return c;
}

Result<Json> RunPlugin(const std::string& command, const Json& config, const CniCall& call) {
  std::string type = config.at("type").get<std::string>();
  SubprocessOptions o;
  o.env = std::vector<std::string>{
      "CNI_COMMAND=" + command,      "CNI_CONTAINERID=" + call.container_id,
      "CNI_NETNS=" + call.netns,     std::string("CNI_IFNAME=") + kCniIfName,
      "CNI_PATH=" + call.plugin_dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.stdin_data = DumpJson(config);
  ASSIGN_OR_RETURN(auto r, RunProcess({call.plugin_dir + "/" + type}, o));
  if (r.exit_code != 0) {
    // A plugin's error is a JSON object on stdout: {"code", "msg", "details"}.
    auto err = ParseJson(r.out, "CNI error");
    std::string msg = err.ok() && err->is_object()
                          ? err->value("msg", "") + " " + err->value("details", "")
                          : r.out + r.err;
    return Internal("CNI " + type + " " + command + " for " + call.container_id + ": " + msg);
  }
  if (command != "ADD") return Json();
  return ParseJson(r.out, "CNI " + type + " result");
}

}  // namespace

Json Conflist(const NetworkConfig& net) {
  Json ipam = {
      {"type", "host-local"},
      {"ranges", Json::array({Json::array({{{"subnet", net.subnet}, {"gateway", net.gateway}}})})},
      {"routes", Json::array({{{"dst", "0.0.0.0/0"}}})},
      {"dataDir", net.ipam_dir}};
  return {{"cniVersion", kCniVersion},
          {"name", net.name},
          {"plugins",
           Json::array(
               {{{"type", "bridge"},
                 {"bridge", net.bridge},
                 {"isGateway", true},
                 {"ipMasq", true},
                 {"hairpinMode", true},
                 {"ipam", ipam}},
                {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}},
                {{"type", "firewall"}, {"backend", "iptables"}}})}};
}

Result<Json> CniAdd(const Json& conflist, const CniCall& call) {
  Json prev;
  const Json& plugins = conflist.at("plugins");
  for (size_t i = 0; i < plugins.size(); ++i) {
    auto r = RunPlugin("ADD", PluginConfig(conflist, plugins[i], call, prev), call);
    if (!r.ok()) {
      Json partial = {{"cniVersion", conflist.at("cniVersion")}, {"plugins", Json::array()}};
      partial["name"] = conflist.at("name");
      for (size_t k = 0; k <= i; ++k) partial["plugins"].push_back(plugins[k]);
      (void)CniDel(partial, call, prev);
      return r.status();
    }
    prev = *r;
  }
  return prev;
}

Status CniDel(const Json& conflist, const CniCall& call, const Json& prev) {
  Status first;
  const Json& plugins = conflist.at("plugins");
  for (size_t i = plugins.size(); i-- > 0;) {
    auto r = RunPlugin("DEL", PluginConfig(conflist, plugins[i], call, prev), call);
    if (!r.ok() && first.ok()) first = r.status();
  }
  return first;
}

std::string ResultAddress(const Json& result) {
  if (!result.is_object()) return "";
  for (const auto& ip : result.value("ips", Json::array())) {
    std::string a = ip.value("address", "");
    if (a.find(':') != std::string::npos) continue;
    return a.substr(0, a.find('/'));
  }
  return "";
}

}  // namespace kiln::runtime
