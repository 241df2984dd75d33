// The container hooks' input (actions/runner-container-hooks, packages/hooklib): one JSON
// document that GitHub's runner writes to the hook's stdin. As the reference library reads it,
// the last line counts (here: the last line that is not blank), so a runner may write several;
// when that line is not a JSON object, the whole of stdin is parsed (a pretty-printed document).
//
//   {"command": "prepare_job" | "run_script_step" | "run_container_step" | "cleanup_job",
//    "responseFile": "/…/_temp/….json" (prepare_job only; null otherwise),
//    "state": {…} (what prepare_job's response put there, given back verbatim),
//    "args": {…} (the command's, below)}
//
// Parsing is strict where the command needs a field and lenient where the runner sends null
// for "none" (entryPoint, dockerfile, registry, responseFile of the steps). An error is
// InvalidArgument naming the field; values of environment variables and passwords are never
// quoted in one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace kiln::hooks {

enum class Command { kPrepareJob, kRunScriptStep, kRunContainerStep, kCleanupJob };

struct Mount {
  std::string source;  // sourceVolumePath: a host path, or a volume name
  std::string target;  // targetVolumePath
  bool read_only = false;
};

struct Registry {
  std::string username, password, server_url;
};

// ContainerInfo and its kinds (JobContainerInfo, ServiceContainerInfo, StepContainerInfo).
struct ContainerInfo {
  std::string image;
  std::string context_name;  // services: the name the job reaches it by
  std::optional<std::string> entry_point;
  std::vector<std::string> entry_point_args;
  std::string create_options;
  std::map<std::string, std::string> env;  // environmentVariables
  std::vector<Mount> user_mounts, system_mounts;
  std::optional<Registry> registry;
  std::vector<std::string> port_mappings;  // docker's -p: "8080:80", "80", "127.0.0.1:80:80/udp"
  std::string working_directory;
  std::string dockerfile;                 // steps: "" = use image
  std::vector<std::string> prepend_path;  // steps
};

struct PrepareJobArgs {
  std::optional<ContainerInfo> container;
  std::vector<ContainerInfo> services;
};

struct ScriptStepArgs {
  std::string entry_point;
  std::vector<std::string> entry_point_args;
  std::map<std::string, std::string> env;
  std::vector<std::string> prepend_path;
  std::string working_directory;
};

struct HookInput {
  Command command = Command::kCleanupJob;
  std::string response_file;
  Json state = Json::object();
  Json args = Json::object();
};

// The last non-blank line of `stdin_text` (or, when it is no JSON object, all of it), parsed:
// command known, responseFile present for
// prepare_job, state and args objects (or null).
Result<HookInput> ParseInput(const std::string& stdin_text);

Result<PrepareJobArgs> ParsePrepareJobArgs(const Json& args);
Result<ScriptStepArgs> ParseScriptStepArgs(const Json& args);
Result<ContainerInfo> ParseContainerStepArgs(const Json& args);

// "prepare_job", … for messages.
const char* CommandName(Command command);

}  // namespace kiln::hooks
