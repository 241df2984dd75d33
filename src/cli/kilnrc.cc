#include "cli/kilnrc.h"

#include <cctype>
#include <climits>
#include <cstdlib>
#include <map>

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

// The flags a repository's own .kilnrc may set: they change what runs, never what the host
// hands over (secrets, host env, files, TLS, mounts, dirs). The bool: its value is a path that
// must stay inside the repository.
const std::map<std::string, bool>& RepoFlags() {
  static const std::map<std::string, bool> flags = {{"--platform", false},
                                                    {"--event", false},
                                                    {"--workflows", true},
                                                    {"--job", false},
                                                    {"--var", false},
                                                    {"--var-file", true},
                                                    {"--input-file", true},
                                                    {"--input", false},
                                                    {"--env", false},
                                                    {"--actor", false},
                                                    {"--defaultbranch", false},
                                                    {"--remote-name", false},
                                                    {"--github-instance", false},
                                                    {"--concurrent-jobs", false},
                                                    {"--strict-labels", false},
                                                    {"--action-cache", true},
                                                    {"--verbose", false}};
  return flags;
}

bool Inside(const std::string& repo, const std::string& value) {
  std::string path = !value.empty() && value[0] == '/' ? value : JoinPath(repo, value);
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {  // not there yet: no `..`, not absolute
    std::string dotted = "/" + value + "/";
    return value.empty() || (value[0] != '/' && dotted.find("/../") == std::string::npos);
  }
  std::string real = buf, root = RealPath(repo);
  return real == root || real.rfind(root + "/", 0) == 0;
}

// Checks one line of the repository's .kilnrc (words: the flag and its value, if any).
Status CheckRepoLine(const std::vector<std::string>& words, const std::vector<FlagSpec>& specs,
                     const std::string& repo, const std::string& where) {
  std::string given = words[0].substr(0, words[0].find('='));
  std::string name = given, value = words.size() > 1 ? words[1] : "";
  if (words[0].find('=') != std::string::npos) value = words[0].substr(words[0].find('=') + 1);
  for (const auto& s : specs) {
    if (s.name == given || (!s.short_name.empty() && s.short_name == given)) name = s.name;
  }
  auto it = RepoFlags().find(name);
  if (it == RepoFlags().end()) {
    return InvalidArgument(where + given +
                           " may not be set by the repository's .kilnrc (it may set only "
                           "flags that change what runs: -P, --event, -W, -j, --var, "
                           "--var-file, --input, --input-file, --env, -a, --defaultbranch, "
                           "--remote-name, --github-instance, --concurrent-jobs, "
                           "--strict-labels, --action-cache, -v); put it in ~/.kilnrc or on "
                           "the command line");
  }
  if (it->second && !Inside(repo, value)) {
    return InvalidArgument(where + given + " " + value +
                           ": the repository's .kilnrc may name only paths inside the "
                           "repository; put it in ~/.kilnrc or on the command line");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ParseRcFile(const std::string& text, const std::string& file,
                                             const std::vector<FlagSpec>& specs,
                                             const GetEnv& getenv, const std::string& repo) {
  std::vector<std::string> args;
  size_t start = 0;
  for (int n = 1; start < text.size(); ++n) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    line = repo.empty() ? ExpandEnv(Trim(line), getenv) : Trim(line);
    if (line.empty() || line[0] != '-') continue;
    std::vector<std::string> words;
    size_t blank = line.find_first_of(" \t");
    words.push_back(line.substr(0, blank));
    if (blank != std::string::npos) words.push_back(Trim(line.substr(blank)));
    std::string where = file + ":" + std::to_string(n) + ": ";
    auto flags = Flags::Parse(words, specs);
    if (!flags.ok()) return InvalidArgument(where + flags.status().message());
    if (!repo.empty()) RETURN_IF_ERROR(CheckRepoLine(words, specs, repo, where));
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
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& f = files[i];
    if (!PathExists(f)) continue;
    auto text = ReadFile(f);
    if (!text.ok()) return InvalidArgument(f + ": " + text.status().message());
    bool repository = files[i] == local && (home.empty() || i > 0);  // the checkout's own file
    ASSIGN_OR_RETURN(auto more, ParseRcFile(*text, f, specs, getenv, repository ? dir : ""));
    out.insert(out.end(), more.begin(), more.end());
  }
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace kiln::cli
