#include "cli/secrets.h"

#include <cctype>

namespace kiln::cli {
namespace {

bool ValidName(const std::string& n, bool dashes = false) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0])) || n[0] == '-') return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && !(dashes && c == '-'))
      return false;
  }
  return true;
}

// A quoted value: '…' literally, "…" with escapes. False when unterminated or followed by text.
bool Unquote(const std::string& v, std::string* out) {
  char q = v[0];
  out->clear();
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == q) return v.find_first_not_of(" \t", i + 1) == std::string::npos;
    if (q == '"' && c == '\\' && i + 1 < v.size()) {
      char e = v[++i];
      *out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      continue;
    }
    *out += c;
  }
  return false;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseSecretFile(const std::string& text,
                                                           const std::string& file, bool dashes) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  for (int n = 1; start < text.size(); ++n) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.rfind("export ", 0) == 0) line = line.substr(line.find_first_not_of(' ', 6));
    size_t eq = line.find('=');
    std::string name = eq == std::string::npos ? line : line.substr(0, eq);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    std::string where = file + ":" + std::to_string(n) + ": ";
    if (eq == std::string::npos || !ValidName(name, dashes)) {
      return InvalidArgument(
          where +
          "expected NAME=VALUE (NAME of letters, digits and _), a # comment or a blank line");
    }
    std::string value = line.substr(eq + 1);
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      std::string unquoted;
      if (!Unquote(value, &unquoted))
        return InvalidArgument(where + "unterminated quote in the value of " + name);
      value = unquoted;
    }
    out[name] = value;
  }
  return out;
}

Status AddSecretFlag(const std::string& spec, const std::function<const char*(const char*)>& getenv,
                     std::map<std::string, std::string>& out, bool* in_argv) {
  size_t eq = spec.find('=');
  std::string name = spec.substr(0, eq);
  if (!ValidName(name))
    return InvalidArgument(
        "--secret takes NAME (its value from $NAME) or NAME=VALUE; got a bad NAME");
  if (eq != std::string::npos) {
    out[name] = spec.substr(eq + 1);
    *in_argv = true;
    return Status::Ok();
  }
  const char* v = getenv(name.c_str());
  if (v == nullptr) {
    return InvalidArgument("--secret " + name + ": $" + name + " is not set (export " + name +
                           "=… first, or use --secret-file FILE)");
  }
  out[name] = v;
  return Status::Ok();
}

}  // namespace kiln::cli
