#include "workflow/container_request.h"

#include "jobs/docker_options.h"

namespace kiln::workflow {
namespace {

bool HasExpr(const std::string& s) { return s.find("${{") != std::string::npos; }

// Applies `options` to `r`. A bare `-e NAME` (docker: copy NAME from the caller's environment)
// is refused: in a workflow it would hand kiln's own environment, unmasked, to the container.
Status ApplyOptions(const std::string& options, jobs::ContainerRequest* r) {
  std::string bare;
  auto no_host_env = [&bare](const std::string& name) -> std::optional<std::string> {
    if (bare.empty()) bare = name;
    return std::nullopt;
  };
  RETURN_IF_ERROR(jobs::ApplyDockerOptions(options, no_host_env, r));
  if (!bare.empty()) {
    return InvalidArgument("--env " + bare +
                           " without a value would copy kiln's own environment into the "
                           "container; give --env " +
                           bare + "=VALUE, or set it in the container's env:");
  }
  return Status::Ok();
}

}  // namespace

Result<jobs::VolumeMount> ParseVolumeSpec(const std::string& text) {
  jobs::VolumeMount m;
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    return InvalidArgument("volume \"" + text + "\": expected SOURCE:CONTAINER_PATH[:ro]");
  m.source = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  size_t mode = rest.find(':');
  if (mode != std::string::npos) {
    std::string flag = rest.substr(mode + 1);
    rest = rest.substr(0, mode);
    if (flag == "ro") {
      m.read_only = true;
    } else if (flag != "rw") {
      return InvalidArgument("volume \"" + text + "\": mode \"" + flag +
                             "\" is not supported (ro or rw)");
    }
  }
  if (rest.empty() || rest[0] != '/')
    return InvalidArgument("volume \"" + text + "\": the container path must be absolute");
  m.destination = rest;
  return m;
}

Status CheckContainer(const Container& k) {
  if (!HasExpr(k.options)) {
    jobs::ContainerRequest scratch;
    Status s = ApplyOptions(k.options, &scratch);
    if (!s.ok()) return s.WithContext("options");
  }
  for (const auto& v : k.volumes) {
    if (!HasExpr(v)) RETURN_IF_ERROR(ParseVolumeSpec(v).status());
  }
  for (const auto& p : k.ports) {
    if (HasExpr(p)) continue;
    auto m = runtime::ParsePortMapping(p);
    if (!m.ok()) return m.status().WithContext("port \"" + p + "\"");
  }
  return Status::Ok();
}

Result<jobs::ContainerRequest> MakeContainerRequest(const Container& k, const std::string& name,
                                                    const ExprContext& expr) {
  std::string where = k.pos.ToString() + ": ";
  auto eval = [&](const std::string& s) -> Result<std::string> {
    auto v = Interpolate(s, expr);
    if (!v.ok()) return v.status().WithContext(where.substr(0, where.size() - 2));
    return v;
  };
  jobs::ContainerRequest r;
  r.name = name;
  ASSIGN_OR_RETURN(r.image, eval(k.image));
  for (const auto& [key, value] : k.env) {
    ASSIGN_OR_RETURN(std::string v, eval(value));
    r.env.push_back(key + "=" + v);
  }
  ASSIGN_OR_RETURN(r.registry_username, eval(k.username));
  ASSIGN_OR_RETURN(r.registry_password, eval(k.password));
  for (const auto& text : k.volumes) {
    ASSIGN_OR_RETURN(std::string v, eval(text));
    auto m = ParseVolumeSpec(v);
    if (!m.ok()) return InvalidArgument(where + m.status().message());
    r.mounts.push_back(*m);
  }
  for (const auto& text : k.ports) {
    ASSIGN_OR_RETURN(std::string p, eval(text));
    auto m = runtime::ParsePortMapping(p);
    if (!m.ok()) return InvalidArgument(where + "port \"" + p + "\": " + m.status().message());
    r.ports.push_back(*m);
  }
  ASSIGN_OR_RETURN(std::string options, eval(k.options));
  Status s = ApplyOptions(options, &r);
  if (!s.ok()) return InvalidArgument(where + "options: " + s.message());
  return r;
}

}  // namespace kiln::workflow
