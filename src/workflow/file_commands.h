// The files and stdout commands through which a step talks to the runner: GITHUB_ENV,
// GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STATE (KEY=VALUE lines and the KEY<<DELIMITER multi-line
// form), and workflow commands (workflow_commands.cc: ::set-output and ::save-state with
// GitHub's deprecation warning, ::set-env and ::add-path only when
// ACTIONS_ALLOW_UNSECURE_COMMANDS is true, ::add-mask, ::stop-commands, ::group/endgroup,
// ::debug, ::notice/warning/error annotations).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "workflow/runner.h"

namespace kiln::workflow {

// Parses an env/output file as GitHub's runner does: NAME=VALUE (split at the first `=`) or
// NAME<<DELIMITER, whichever of `=` and `<<` comes first, then the value's lines up to a line
// that is exactly DELIMITER; a trailing \r is dropped from every line, and empty lines between
// entries are skipped. Pairs come in file order (a later one for the same name wins).
// InvalidArgument naming the line for a line with neither form, an empty name or delimiter,
// or a heredoc with no closing line.
Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueFile(const std::string& text);
// One PATH entry per non-empty line (a trailing \r dropped), in file order.
std::vector<std::string> ParsePathFile(const std::string& text);

// The values a job masks (secrets, their lines, ::add-mask:: values), kept longest first as
// they are added, so masking a line sorts nothing. Capped per job: beyond kMaxValues values or
// kMaxBytes bytes, Add refuses (InvalidArgument) rather than leave a value unmasked or make
// every line cost thousands of searches.
class MaskSet {
 public:
  static constexpr size_t kMaxValues = 2000;
  static constexpr size_t kMaxBytes = size_t{1} << 20;

  // Adds `value`, and each of its lines on its own (a trailing \r dropped) as GitHub does for
  // multi-line secrets. Empty values and lines are not masks. On refusal, the lines added
  // before the cap was hit stay.
  Status Add(const std::string& value);
  size_t size() const { return longest_first_.size(); }
  bool contains(const std::string& m) const { return set_.count(m) > 0; }
  size_t longest() const { return longest_first_.empty() ? 0 : longest_first_.front().size(); }
  const std::vector<std::string>& longest_first() const { return longest_first_; }

 private:
  Status AddOne(const std::string& m);
  std::set<std::string> set_;
  std::vector<std::string> longest_first_;
  size_t bytes_ = 0;
};

// State of workflow-command processing over a step's stdout.
struct CommandState {
  bool allow_unsecure = false;
  bool show_debug = false;  // ::debug:: lines are printed (--verbose, ACTIONS_STEP_DEBUG)
  bool in_group = false;    // between ::group:: and ::endgroup::: lines are indented
  std::string stop_token;   // set while commands are stopped
  std::map<std::string, std::string> outputs, env, state;  // state: ::save-state::
  std::vector<std::string> paths;
  std::vector<Annotation> annotations;  // not yet moved to the job's report
  std::set<std::string> deprecations_shown;
  MaskSet masks;
  Status mask_error;     // set when an ::add-mask:: was refused (MaskSet's cap): the step fails
  Status command_error;  // the first command that could not be processed: the step fails
};

// Handles one whole output line as GitHub's runner does (leading blanks allowed, only known
// command names, data unescaped from %25 %0D %0A, properties also from %3A %2C). Returns true
// when nothing is printed for it (set-output, add-mask, stop-commands, endgroup, a hidden
// debug…); else *display is what to print instead of the line, one or more lines joined by
// '\n' ("" = the line as is): "▶ TITLE" for a group, an indented line inside one, "❗ error
// FILE:LINE:COL: TITLE: MESSAGE" for an annotation (recorded in state.annotations; it does
// not fail the step), or "Unable to process command '…' successfully." and why, for a
// command GitHub refuses (set-env/add-path when disabled, a missing name=, a stop token that
// is empty or a command name), which sets state.command_error.
bool HandleCommandLine(const std::string& line, CommandState& state, std::string* display);
// The line an annotation is printed as (without the indent of a group).
std::string FormatAnnotation(const Annotation& a);

// Replaces every occurrence of every mask with "***", longest mask first (so a mask that is
// part of a longer one does not leave the longer one's rest visible).
std::string Mask(std::string line, const MaskSet& masks);

// What MaskPiece keeps between the pieces of one long line (base/subprocess.h cuts lines at
// kMaxOutputLine): the raw tail of the last piece a mask may go on from, and how many of its
// first bytes belong to a mask already printed as "***".
struct MaskCarry {
  std::string held;
  size_t covered = 0;
};

// Masks one piece of a line that may arrive in several pieces, and returns what can be printed
// now. When `unfinished` (more of the line follows), the last longest()-1 bytes are kept back
// in `carry` and put before the next piece, so a value cut in two by the split is masked
// whole; otherwise everything is returned and `carry` is emptied. Every byte of every mask's
// occurrences is hidden (a run of them becomes one "***").
std::string MaskPiece(const MaskSet& masks, MaskCarry& carry, const std::string& piece,
                      bool unfinished);

}  // namespace kiln::workflow
