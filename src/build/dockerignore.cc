// .dockerignore (copy_files.h: IgnoreRules).
#include <regex>

#include "base/fs.h"
#include "build/copy_files.h"

namespace kiln::build {
namespace {

std::string GlobToRegex(const std::string& glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
      re += ".*";
      ++i;
      if (i + 1 < glob.size() && glob[i + 1] == '/') ++i, re += "/?";
    } else if (c == '*') {
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      size_t end = glob.find(']', i + 1);
      if (end == std::string::npos) {
        re += "\\[";
      } else {
        std::string set = glob.substr(i + 1, end - i - 1);
        if (!set.empty() && set[0] == '!') set[0] = '^';
        re += "[" + set + "]";
        i = end;
      }
    } else if (std::string("\\^$.|+(){}").find(c) != std::string::npos) {
      re += std::string("\\") + c;
    } else {
      re += c;
    }
  }
  return re;
}

}  // namespace

Result<IgnoreRules> IgnoreRules::Load(const std::string& context) {
  IgnoreRules rules;
  std::string path = JoinPath(context, ".dockerignore");
  if (!PathExists(path)) return rules;
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? text.size() : nl + 1;
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    bool exception = line[0] == '!';
    if (exception) line.erase(0, 1);
    while (line.rfind("./", 0) == 0 || line.rfind("/", 0) == 0)
      line.erase(0, line[0] == '/' ? 1 : 2);
    while (!line.empty() && line.back() == '/') line.pop_back();
    if (line.empty()) continue;
    try {
      rules.patterns_.emplace_back(std::regex(GlobToRegex(line)), exception);
    } catch (const std::regex_error&) {
      return InvalidArgument(path + ": bad pattern '" + line + "'");
    }
  }
  return rules;
}

bool IgnoreRules::Ignored(const std::string& rel) const {
  bool ignored = false;
  for (const auto& [re, exception] : patterns_) {
    // A pattern matching a directory matches everything below it.
    for (std::string p = rel; !p.empty();
         p = p.substr(0, p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/'))) {
      if (std::regex_match(p, re)) {
        ignored = !exception;
        break;
      }
    }
  }
  return ignored;
}

}  // namespace kiln::build
