// Workflow commands in a step's output (file_commands.h: HandleCommandLine), as GitHub's
// runner processes them (ActionCommandManager): which are honoured, refused or deprecated.
#include <cctype>
#include <cstdlib>

#include "workflow/file_commands.h"

namespace kiln::workflow {
namespace {

const std::set<std::string> kCommands = {"set-output", "save-state",    "set-env",       "add-path",
                                         "add-mask",   "stop-commands", "debug",         "notice",
                                         "warning",    "error",         "group",         "endgroup",
                                         "echo",       "add-matcher",   "remove-matcher"};

constexpr const char* kDisabled =
    "The `%s` command is disabled. Please upgrade to using Environment Files or opt into "
    "unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "
    "variable to `true`. For more information see: "
    "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-"
    "commands/";
constexpr const char* kDeprecated =
    "The `%s` command is deprecated and will be disabled soon. Please upgrade to using "
    "Environment Files. For more information see: "
    "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-"
    "output-commands/";
constexpr const char* kBadStopToken =
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands";

std::string Fill(const char* text, const std::string& command) {
  std::string s = text;
  return s.replace(s.find("%s"), 2, command);
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

// GitHub's unescaping: each escape in turn, %25 last.
std::string Unescape(std::string s, bool property) {
  s = Replace(Replace(s, "%0D", "\r"), "%0A", "\n");
  if (property) s = Replace(Replace(s, "%3A", ":"), "%2C", ",");
  return Replace(s, "%25", "%");
}

struct Command {
  std::string name, data;
  std::map<std::string, std::string> props;
};

// "[blanks]::name key=v,key2=v2::data" → Command (ActionCommand.TryParseV2).
bool Parse(const std::string& line, Command& c) {
  size_t at = line.find("::");
  if (at == std::string::npos || line.find_first_not_of(" \t") != at) return false;
  size_t end = line.find("::", at + 2);
  if (end == std::string::npos) return false;
  std::string head = line.substr(at + 2, end - at - 2);
  c.data = line.substr(end + 2);
  size_t space = head.find(' ');
  c.name = head.substr(0, space);  // names are case-insensitive, as in GitHub's runner
  for (char& ch : c.name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (space == std::string::npos) return !c.name.empty();
  std::string props = head.substr(space + 1);
  size_t start = 0;
  while (start <= props.size()) {
    size_t comma = props.find(',', start);
    std::string kv = props.substr(start, comma == std::string::npos ? comma : comma - start);
    size_t eq = kv.find('=');
    if (eq != std::string::npos && eq > 0)
      c.props[kv.substr(0, eq)] = Unescape(kv.substr(eq + 1), /*property=*/true);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return !c.name.empty();
}

int Number(const std::map<std::string, std::string>& props, const char* key) {
  auto it = props.find(key);
  if (it == props.end()) return 0;
  int n = std::atoi(it->second.c_str());
  return n > 0 ? n : 0;
}

// The step cannot go on as GitHub's runner would: the command is refused, the step fails.
bool Refuse(CommandState& st, const std::string& line, const std::string& why,
            std::string* display) {
  *display = "❌ Unable to process command '" + line + "' successfully.\n❌ " + why;
  if (st.command_error.ok()) st.command_error = InvalidArgument(line + ": " + why);
  return false;
}

// set-output and save-state still work, with GitHub's warning (once per job).
void Deprecated(CommandState& st, const std::string& name, std::string* display) {
  if (!st.deprecations_shown.insert(name).second) return;
  Annotation a{"warning", Fill(kDeprecated, name), "", "", 0, 0, ""};
  st.annotations.push_back(a);
  *display = FormatAnnotation(a);
}

bool Annotate(CommandState& st, const Command& c, std::string* display) {
  Annotation a;
  a.level = c.name;
  a.message = Unescape(c.data, false);
  auto get = [&](const char* k) { return c.props.count(k) ? c.props.at(k) : std::string(); };
  a.title = get("title");
  a.file = get("file");
  a.line = Number(c.props, "line");
  a.column = Number(c.props, "col");
  st.annotations.push_back(a);
  *display = FormatAnnotation(a);
  return false;
}

}  // namespace

std::string FormatAnnotation(const Annotation& a) {
  const char* icon = a.level == "error" ? "❗" : a.level == "warning" ? "⚠️ " : "📌";
  std::string where = a.file;
  if (!where.empty() && a.line > 0) where += ":" + std::to_string(a.line);
  if (!where.empty() && a.line > 0 && a.column > 0) where += ":" + std::to_string(a.column);
  std::string text = std::string(icon) + " " + a.level + (where.empty() ? "" : " " + where) + ": " +
                     (a.title.empty() ? "" : a.title + ": ") + a.message;
  return Replace(Replace(text, "\r\n", "\n"), "\r", "\n");
}

bool HandleCommandLine(const std::string& line, CommandState& st, std::string* display) {
  Command c;
  bool parsed = Parse(line, c);
  if (!st.stop_token.empty()) {
    std::string token = st.stop_token;
    for (char& ch : token) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (parsed && c.name == token) {
      st.stop_token.clear();
      return true;
    }
    parsed = false;
  }
  if (!parsed || !kCommands.count(c.name)) {
    if (st.in_group) *display = "  " + line;
    return false;
  }
  std::string data = Unescape(c.data, false);
  const std::string name = c.name;
  auto prop = [&](const char* k) { return c.props.count(k) ? c.props.at(k) : std::string(); };
  if (name == "stop-commands") {
    if (data.empty() || data == "pause-logging" || kCommands.count(data))
      return Refuse(st, line, kBadStopToken, display);
    st.stop_token = data;
    return true;
  }
  if (name == "add-mask") {
    Status added = st.masks.Add(data);
    if (!added.ok() && st.mask_error.ok()) st.mask_error = added;
    return true;
  }
  if (name == "set-output" || name == "save-state") {
    if (prop("name").empty()) {
      return Refuse(st, line, "Required field 'name' is missing in ##[" + name + "] command.",
                    display);
    }
    (name == "set-output" ? st.outputs : st.state)[prop("name")] = data;
    Deprecated(st, name, display);
    return display->empty();
  }
  if (name == "set-env" || name == "add-path") {
    if (!st.allow_unsecure) return Refuse(st, line, Fill(kDisabled, name), display);
    if (name == "add-path") {
      st.paths.push_back(data);
      return true;
    }
    if (prop("name").empty())
      return Refuse(st, line, "Required field 'name' is missing in ##[set-env] command.", display);
    st.env[prop("name")] = data;
    return true;
  }
  if (name == "group") {
    st.in_group = true;
    *display = "▶ " + data;
    return false;
  }
  if (name == "endgroup") {
    st.in_group = false;
    return true;
  }
  if (name == "debug") {
    if (!st.show_debug) return true;
    *display = "🐛 debug: " + data;
    return false;
  }
  if (name == "notice" || name == "warning" || name == "error") return Annotate(st, c, display);
  return true;  // echo, add-matcher, remove-matcher: nothing to show
}

}  // namespace kiln::workflow
