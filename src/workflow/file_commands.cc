#include "workflow/file_commands.h"

#include <algorithm>
#include <sstream>

namespace kiln::workflow {

Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueFile(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t heredoc = line.find("<<"), eq = line.find('=');
    if (heredoc != std::string::npos && (eq == std::string::npos || heredoc < eq)) {
      std::string key = line.substr(0, heredoc), delim = line.substr(heredoc + 2), value, l;
      bool closed = false, first = true;
      while (std::getline(in, l)) {
        ++n;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l == delim) { closed = true; break; }
        value += (first ? "" : "\n") + l;
        first = false;
      }
      if (!closed) return InvalidArgument("line " + std::to_string(n) + ": no closing " + delim + " for " + key);
      out.emplace_back(key, value);
      continue;
    }
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("line " + std::to_string(n) + ": expected NAME=VALUE or NAME<<DELIMITER");
    }
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> ParsePathFile(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

namespace {

// "::name key=v,key2=v2::message" → name, params, message.
bool SplitCommand(const std::string& line, std::string& name, std::map<std::string, std::string>& params,
                  std::string& message) {
  if (line.rfind("::", 0) != 0) return false;
  size_t end = line.find("::", 2);
  if (end == std::string::npos) return false;
  std::string head = line.substr(2, end - 2);
  message = line.substr(end + 2);
  size_t space = head.find(' ');
  name = head.substr(0, space);
  if (space != std::string::npos) {
    std::istringstream ps(head.substr(space + 1));
    std::string kv;
    while (std::getline(ps, kv, ',')) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos) params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  return !name.empty();
}

}  // namespace

bool HandleCommandLine(const std::string& line, CommandState& st, std::string* display) {
  std::string name, message;
  std::map<std::string, std::string> params;
  if (!SplitCommand(line, name, params, message)) return false;
  if (!st.stop_token.empty()) {
    if (name == st.stop_token) {
      st.stop_token.clear();
      return true;
    }
    return false;
  }
  if (name == "stop-commands") { st.stop_token = message; return true; }
  if (name == "add-mask") { AddMask(st.masks, message); return true; }
  if (name == "set-output") { st.outputs[params["name"]] = message; return true; }
  if (name == "set-env" || name == "add-path") {
    if (!st.allow_unsecure) {
      *display = "error: the `" + name + "` command is disabled; set ACTIONS_ALLOW_UNSECURE_COMMANDS=true to enable it";
      return false;
    }
    if (name == "set-env") st.env[params["name"]] = message;
    else st.paths.push_back(message);
    return true;
  }
  if (name == "debug" || name == "notice" || name == "warning" || name == "error") {
    std::string where;
    if (params.count("file")) where = " (" + params["file"] + (params.count("line") ? ":" + params["line"] : "") + ")";
    *display = name + where + ": " + message;
  }
  return false;
}

void AddMask(std::set<std::string>& masks, const std::string& value) {
  if (value.empty()) return;
  masks.insert(value);
  size_t start = 0;
  while (start <= value.size()) {
    size_t nl = value.find('\n', start);
    std::string line = value.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) masks.insert(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

std::string Mask(std::string line, const std::set<std::string>& masks) {
  std::vector<const std::string*> order;
  for (const auto& m : masks) {
    if (!m.empty()) order.push_back(&m);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* m : order) {
    size_t pos = 0;
    while ((pos = line.find(*m, pos)) != std::string::npos) {
      line.replace(pos, m->size(), "***");
      pos += 3;
    }
  }
  return line;
}

}  // namespace kiln::workflow
