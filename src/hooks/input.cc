// ParseInput and the args readers (input.h).
#include "hooks/input.h"

namespace kiln::hooks {
namespace {

// The member `key` of `j` when present and not null.
const Json* Field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

Status String(const Json& j, const char* key, bool required, std::string* out) {
  const Json* f = Field(j, key);
  if (!f) return required ? InvalidArgument(std::string("missing field ") + key) : Status::Ok();
  if (!f->is_string()) return InvalidArgument(std::string(key) + " is not a string");
  *out = f->get<std::string>();
  return Status::Ok();
}

Status Strings(const Json& j, const char* key, std::vector<std::string>* out) {
  const Json* f = Field(j, key);
  if (!f) return Status::Ok();
  if (f->is_string()) {  // prependPath of runners before 2.293.0 was one "a:b" string
    out->push_back(f->get<std::string>());
    return Status::Ok();
  }
  if (!f->is_array()) return InvalidArgument(std::string(key) + " is not a list");
  for (const auto& e : *f) {
    if (!e.is_string())
      return InvalidArgument(std::string(key) + " holds a value that is no string");
    out->push_back(e.get<std::string>());
  }
  return Status::Ok();
}

Status Env(const Json& j, std::map<std::string, std::string>* out) {
  const Json* f = Field(j, "environmentVariables");
  if (!f) return Status::Ok();
  if (!f->is_object()) return InvalidArgument("environmentVariables is not an object");
  for (const auto& [k, v] : f->items()) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return InvalidArgument("environmentVariables has a bad name");
    }
    if (v.is_null()) continue;
    if (!v.is_string()) return InvalidArgument("environmentVariables." + k + " is not a string");
    (*out)[k] = v.get<std::string>();
  }
  return Status::Ok();
}

Status Mounts(const Json& j, const char* key, std::vector<Mount>* out) {
  const Json* f = Field(j, key);
  if (!f) return Status::Ok();
  if (!f->is_array()) return InvalidArgument(std::string(key) + " is not a list");
  for (const auto& m : *f) {
    if (!m.is_object())
      return InvalidArgument(std::string(key) + " holds a value that is no object");
    Mount mount;
    RETURN_IF_ERROR_CTX(String(m, "sourceVolumePath", true, &mount.source), key);
    RETURN_IF_ERROR_CTX(String(m, "targetVolumePath", true, &mount.target), key);
    if (const Json* ro = Field(m, "readOnly")) {
      if (!ro->is_boolean())
        return InvalidArgument(std::string(key) + ": readOnly is not a boolean");
      mount.read_only = ro->get<bool>();
    }
    out->push_back(std::move(mount));
  }
  return Status::Ok();
}

Status ReadRegistry(const Json& j, std::optional<Registry>* out) {
  const Json* f = Field(j, "registry");
  if (!f) return Status::Ok();
  if (!f->is_object()) return InvalidArgument("registry is not an object");
  Registry r;
  RETURN_IF_ERROR_CTX(String(*f, "username", false, &r.username), "registry");
  RETURN_IF_ERROR_CTX(String(*f, "password", false, &r.password), "registry");
  RETURN_IF_ERROR_CTX(String(*f, "serverUrl", false, &r.server_url), "registry");
  *out = std::move(r);
  return Status::Ok();
}

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

const char* CommandName(Command command) {
  switch (command) {
    case Command::kPrepareJob:
      return "prepare_job";
    case Command::kRunScriptStep:
      return "run_script_step";
    case Command::kRunContainerStep:
      return "run_container_step";
    case Command::kCleanupJob:
      return "cleanup_job";
  }
  return "?";
}

Result<HookInput> ParseInput(const std::string& stdin_text) {
  std::string last;
  size_t start = 0;
  while (start <= stdin_text.size()) {
    size_t end = stdin_text.find('\n', start);
    if (end == std::string::npos) end = stdin_text.size();
    std::string line = stdin_text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = std::move(line);
    start = end + 1;
  }
  if (last.empty()) return InvalidArgument("no input on stdin (the runner writes one JSON line)");
  ASSIGN_OR_RETURN(Json j, ParseJson(last, "hook input"));
  if (!j.is_object()) return InvalidArgument("hook input is not a JSON object");
  HookInput in;
  std::string command;
  RETURN_IF_ERROR(String(j, "command", true, &command));
  static const std::map<std::string, Command> kCommands = {
      {"prepare_job", Command::kPrepareJob},
      {"run_script_step", Command::kRunScriptStep},
      {"run_container_step", Command::kRunContainerStep},
      {"cleanup_job", Command::kCleanupJob}};
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    return InvalidArgument("unknown command '" + command.substr(0, 64) +
                           "' (prepare_job, run_script_step, run_container_step, cleanup_job)");
  }
  in.command = it->second;
  RETURN_IF_ERROR(String(j, "responseFile", in.command == Command::kPrepareJob, &in.response_file));
  for (auto [key, out] : {std::pair{"state", &in.state}, std::pair{"args", &in.args}}) {
    const Json* f = Field(j, key);
    if (f && !f->is_object()) return InvalidArgument(std::string(key) + " is not an object");
    if (f) *out = *f;
  }
  bool needs_args = in.command == Command::kRunScriptStep ||
                    in.command == Command::kRunContainerStep || in.command == Command::kPrepareJob;
  if (needs_args && !Field(j, "args")) return InvalidArgument("missing field args");
  return in;
}

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
