// `container:` and `services:` of a job (parse_util.h), checked as far as they hold no ${{ }}
// (container_request.h): an option kiln cannot honour fails at FILE:LINE:COL.
#include "workflow/container_request.h"
#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

std::vector<std::string> StringList(Ctx& c, const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (!n.IsSequence()) c.Fail(n, what + " must be a list");
  for (const auto& x : n) out.push_back(Scalar(c, x, what));
  return out;
}

}  // namespace

Container ParseContainer(Ctx& c, const YAML::Node& n, const std::string& what) {
  Container k;
  k.pos = c.PosOf(n);
  if (n.IsScalar()) {
    k.image = n.Scalar();
    if (k.image.empty()) c.Fail(n, what + " needs an image");
    return k;
  }
  ExpectMap(c, n, what);
  CheckKeys(c, n, {"image", "env", "options", "volumes", "ports", "credentials"}, what);
  if (!n["image"]) c.Fail(n, what + " needs `image`");
  k.image = Scalar(c, n["image"], what + ".image");
  if (n["env"]) k.env = ParseEnv(c, n["env"]);
  if (n["ports"]) k.ports = StringList(c, n["ports"], what + ".ports");
  if (n["volumes"]) k.volumes = StringList(c, n["volumes"], what + ".volumes");
  if (n["options"]) k.options = Scalar(c, n["options"], what + ".options");
  if (const YAML::Node cr = n["credentials"]) {
    ExpectMap(c, cr, what + ".credentials");
    CheckKeys(c, cr, {"username", "password"}, what + ".credentials");
    if (cr["username"]) k.username = Scalar(c, cr["username"], "username");
    if (cr["password"]) k.password = Scalar(c, cr["password"], "password");
  }
  Status ok = CheckContainer(k);
  if (!ok.ok()) {
    // Point at the key whose value is wrong.
    const std::string& m = ok.message();
    const char* key = m.rfind("options", 0) == 0  ? "options"
                      : m.rfind("volume", 0) == 0 ? "volumes"
                                                  : "ports";
    c.Fail(n[key] ? n[key] : n, what + ": " + m);
  }
  return k;
}

std::map<std::string, Container> ParseServices(Ctx& c, const YAML::Node& n) {
  ExpectMap(c, n, "services");
  std::map<std::string, Container> out;
  for (const auto& kv : n) {
    std::string name = Scalar(c, kv.first, "service name");
    CheckId(c, kv.first, name, "service name");
    out[name] = ParseContainer(c, kv.second, "services." + name);
  }
  return out;
}

}  // namespace kiln::workflow
