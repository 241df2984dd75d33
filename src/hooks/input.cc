// ParseInput and CommandName (input.h).
#include "hooks/input.h"

#include "hooks/json_fields.h"

namespace kiln::hooks {

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
  Result<Json> parsed = ParseJson(last, "hook input");
  if ((!parsed.ok() || !parsed->is_object()) && last.size() < stdin_text.size()) {
    // A pretty-printed document (the reference's samples, piped by hand): the whole counts.
    Result<Json> whole = ParseJson(stdin_text, "hook input");
    if (whole.ok() && whole->is_object()) parsed = std::move(whole);
  }
  if (!parsed.ok()) return parsed.status();
  Json j = std::move(*parsed);
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

}  // namespace kiln::hooks
