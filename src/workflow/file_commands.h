// The files and stdout commands through which a step talks to the runner: GITHUB_ENV,
// GITHUB_PATH, GITHUB_OUTPUT (KEY=VALUE lines and the KEY<<DELIMITER multi-line form), and
// workflow commands (::set-output, ::set-env, ::add-path when ACTIONS_ALLOW_UNSECURE_COMMANDS
// is true, ::add-mask, ::stop-commands, ::debug/notice/warning/error).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::workflow {

// Parses an env/output file. InvalidArgument for a malformed line or an unterminated heredoc.
Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueFile(const std::string& text);
// One PATH entry per non-empty line.
std::vector<std::string> ParsePathFile(const std::string& text);

// State of workflow-command processing over a step's stdout.
struct CommandState {
  bool allow_unsecure = false;
  std::string stop_token;  // set while commands are stopped
  std::map<std::string, std::string> outputs, env;
  std::vector<std::string> paths;
  std::set<std::string> masks;
};

// Handles one output line. Returns true when the line was a command that should not be printed
// as-is (set-output, set-env, add-path, add-mask, stop-commands).
bool HandleCommandLine(const std::string& line, CommandState& state, std::string* display);

// Adds `value` to `masks`, and each of its lines on its own (a trailing \r dropped) as GitHub
// does for multi-line secrets, so a secret printed across lines is masked line by line. Empty
// values and lines are not masks.
void AddMask(std::set<std::string>& masks, const std::string& value);

// Replaces every occurrence of every mask with "***", longest mask first (so a mask that is
// part of a longer one does not leave the longer one's rest visible).
std::string Mask(std::string line, const std::set<std::string>& masks);

}  // namespace kiln::workflow
