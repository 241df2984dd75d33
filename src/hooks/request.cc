// From the hooks' input to a pod's ContainerRequest: keys, ports, mounts, env (hook.h).
#include <cctype>

#include "base/sha256.h"
#include "hooks/hook.h"

namespace kiln::hooks {
namespace {

bool IsDockerSock(const Mount& m) {
  return m.source == "/var/run/docker.sock" || m.target == "/var/run/docker.sock" ||
         m.source == "/run/docker.sock";
}

}  // namespace

Result<std::string> PodKeyFor(const HookContext& ctx) {
  std::optional<std::string> name = ctx.getenv ? ctx.getenv("RUNNER_NAME") : std::nullopt;
  if (!name || name->empty()) {
    return FailedPrecondition("RUNNER_NAME is not set (GitHub's runner sets it for the hook)");
  }
  const std::string prefix = "gh-";
  bool plain = prefix.size() + name->size() <= 60;
  for (char c : *name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      plain = false;
    }
  }
  if (plain && *name != "." && *name != "..") return prefix + *name;
  return prefix + Sha256::Hex(*name).substr(0, 32);
}

Result<jobs::ContainerRequest> ToRequest(const HookContext& ctx, const ContainerInfo& info) {
  jobs::ContainerRequest r;
  auto mapped = ctx.image_map.find(info.image);
  r.image = mapped != ctx.image_map.end() ? mapped->second : info.image;
  // The credentials are for the image the workflow names, not for one mapped in its place.
  if (info.registry && mapped == ctx.image_map.end()) {
    r.registry_username = info.registry->username;
    r.registry_password = info.registry->password;
    r.registry_server = info.registry->server_url;
  }
  if (!info.context_name.empty()) {
    r.name = info.context_name;
    r.aliases.push_back(info.context_name);
  }
  if (info.entry_point) r.entrypoint = std::vector<std::string>{*info.entry_point};
  if (!info.entry_point_args.empty()) r.args = info.entry_point_args;
  for (const auto& [k, v] : info.env) r.env.push_back(k + "=" + v);
  r.env.push_back("GITHUB_ACTIONS=true");
  if (!info.env.count("CI")) r.env.push_back("CI=true");
  r.workdir = info.working_directory;
  for (const auto* list : {&info.user_mounts, &info.system_mounts}) {
    for (const auto& m : *list) {
      if (IsDockerSock(m)) {
        if (ctx.log) ctx.log("warning: " + m.target + " is not mounted: kiln has no docker daemon");
        continue;
      }
      r.mounts.push_back({m.source, m.target, m.read_only});
    }
  }
  for (const auto& p : info.port_mappings) {
    ASSIGN_OR_RETURN(runtime::PortMapping port, runtime::ParsePortMapping(p));
    r.ports.push_back(port);
  }
  RETURN_IF_ERROR(jobs::ApplyDockerOptions(info.create_options, ctx.getenv, &r));
  return r;
}

}  // namespace kiln::hooks
