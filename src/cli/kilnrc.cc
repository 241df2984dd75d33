#include "cli/kilnrc.h"

#include <cctype>
#include <climits>
#include <cstdlib>

#include "base/fs.h"

namespace kiln::cli {
namespace {

bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// $NAME and ${NAME} from the environment (unset: ""), as Go's os.ExpandEnv.
std::string ExpandEnv(const std::string& s, const GetEnv& getenv) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    std::string name;
    if (s[i + 1] == '{' && s.find('}', i + 2) != std::string::npos) {
      size_t close = s.find('}', i + 2);
      name = s.substr(i + 2, close - i - 2);
      i = close;
    } else if (NameChar(s[i + 1])) {
      size_t end = i + 1;
      while (end < s.size() && NameChar(s[end])) ++end;
      name = s.substr(i + 1, end - i - 1);
      i = end - 1;
    } else {
      out += s[i];
      continue;
    }
    const char* v = getenv(name.c_str());
    if (v != nullptr) out += v;
  }
  return out;
}

// The file's canonical path, or the path as given when it cannot be resolved.
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

}  // namespace

Result<std::vector<std::string>> ParseRcFile(const std::string& text, const std::string& file,
                                             const std::vector<FlagSpec>& specs,
                                             const GetEnv& getenv) {
  std::vector<std::string> args;
  size_t start = 0;
  for (int n = 1; start < text.size(); ++n) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    line = ExpandEnv(Trim(line), getenv);
    if (line.empty() || line[0] != '-') continue;
    std::vector<std::string> words;
    size_t blank = line.find_first_of(" \t");
    words.push_back(line.substr(0, blank));
    if (blank != std::string::npos) words.push_back(Trim(line.substr(blank)));
    std::string where = file + ":" + std::to_string(n) + ": ";
    auto flags = Flags::Parse(words, specs);
    if (!flags.ok()) return InvalidArgument(where + flags.status().message());
    if (!flags->positional().empty()) {
      return InvalidArgument(where + words[0] + " takes no value, but the line goes on with \"" +
                             flags->positional()[0] + "\"; put one flag on each line");
    }
    args.insert(args.end(), words.begin(), words.end());
  }
  return args;
}

Result<std::vector<std::string>> WithRcFiles(const std::vector<std::string>& args,
                                             const std::string& home, const std::string& dir,
                                             const std::vector<FlagSpec>& specs,
                                             const GetEnv& getenv) {
  std::vector<std::string> out, files;
  if (!home.empty()) files.push_back(JoinPath(home, ".kilnrc"));
  std::string local = JoinPath(dir, ".kilnrc");
  if (files.empty() || RealPath(files[0]) != RealPath(local)) files.push_back(local);
  for (const auto& f : files) {
    if (!PathExists(f)) continue;
    auto text = ReadFile(f);
    if (!text.ok()) return InvalidArgument(f + ": " + text.status().message());
    ASSIGN_OR_RETURN(auto more, ParseRcFile(*text, f, specs, getenv));
    out.insert(out.end(), more.begin(), more.end());
  }
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace kiln::cli
