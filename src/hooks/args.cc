// The args of each command (input.h: ParsePrepareJobArgs, ParseScriptStepArgs,
// ParseContainerStepArgs).
#include "hooks/input.h"
#include "hooks/json_fields.h"

namespace kiln::hooks {
namespace {

Result<ContainerInfo> ReadContainer(const Json& j, bool image_required) {
  if (!j.is_object()) return InvalidArgument("not an object");
  ContainerInfo c;
  RETURN_IF_ERROR(String(j, "image", image_required, &c.image));
  RETURN_IF_ERROR(String(j, "contextName", false, &c.context_name));
  // The runner writes entryPoint; the sample input of the reference writes a service's as
  // "entrypoint". Either is read.
  for (const char* key : {"entryPoint", "entrypoint"}) {
    std::string ep;
    RETURN_IF_ERROR(String(j, key, false, &ep));
    if (!ep.empty()) c.entry_point = ep;
  }
  RETURN_IF_ERROR(Strings(j, "entryPointArgs", &c.entry_point_args));
  RETURN_IF_ERROR(String(j, "createOptions", false, &c.create_options));
  RETURN_IF_ERROR(Env(j, &c.env));
  RETURN_IF_ERROR(Mounts(j, "userMountVolumes", &c.user_mounts));
  RETURN_IF_ERROR(Mounts(j, "systemMountVolumes", &c.system_mounts));
  RETURN_IF_ERROR(ReadRegistry(j, &c.registry));
  RETURN_IF_ERROR(Strings(j, "portMappings", &c.port_mappings));
  RETURN_IF_ERROR(String(j, "workingDirectory", false, &c.working_directory));
  RETURN_IF_ERROR(String(j, "dockerfile", false, &c.dockerfile));
  RETURN_IF_ERROR(Strings(j, "prependPath", &c.prepend_path));
  return c;
}

}  // namespace

Result<PrepareJobArgs> ParsePrepareJobArgs(const Json& args) {
  PrepareJobArgs out;
  if (const Json* c = Field(args, "container")) {
    auto info = ReadContainer(*c, true);
    if (!info.ok()) return info.status().WithContext("args.container");
    out.container = std::move(*info);
  }
  if (const Json* s = Field(args, "services")) {
    if (!s->is_array()) return InvalidArgument("args.services is not a list");
    for (size_t i = 0; i < s->size(); ++i) {
      auto info = ReadContainer((*s)[i], true);
      std::string where = "args.services[" + std::to_string(i) + "]";
      if (!info.ok()) return info.status().WithContext(where);
      if (info->context_name.empty()) return InvalidArgument(where + ": missing field contextName");
      out.services.push_back(std::move(*info));
    }
  }
  return out;
}

Result<ScriptStepArgs> ParseScriptStepArgs(const Json& args) {
  ScriptStepArgs s;
  RETURN_IF_ERROR_CTX(String(args, "entryPoint", true, &s.entry_point), "args");
  RETURN_IF_ERROR_CTX(Strings(args, "entryPointArgs", &s.entry_point_args), "args");
  RETURN_IF_ERROR_CTX(Env(args, &s.env), "args");
  RETURN_IF_ERROR_CTX(Strings(args, "prependPath", &s.prepend_path), "args");
  RETURN_IF_ERROR_CTX(String(args, "workingDirectory", false, &s.working_directory), "args");
  return s;
}

Result<ContainerInfo> ParseContainerStepArgs(const Json& args) {
  auto info = ReadContainer(args, false);
  if (!info.ok()) return info.status().WithContext("args");
  if (info->image.empty() && info->dockerfile.empty()) {
    return InvalidArgument("args: a container step needs image or dockerfile");
  }
  return info;
}

}  // namespace kiln::hooks
