// Job paths for the built-in actions (builtin_paths.h).
#include "workflow/builtin_paths.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/fs.h"
#include "workflow/builtin_actions_internal.h"

namespace kiln::workflow {
namespace {

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

bool HasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

bool IsDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Adds to `out` the paths below `dir` matching comps[i..].
void Match(const std::string& dir, const std::vector<std::string>& comps, size_t i,
           std::vector<std::string>& out) {
  if (i == comps.size()) {
    if (Exists(dir)) out.push_back(dir);
    return;
  }
  const std::string& c = comps[i];
  if (c == "**") {
    Match(dir, comps, i + 1, out);  // zero directories
    if (i + 1 == comps.size()) return;
    auto names = ListDir(dir);
    if (!names.ok()) return;
    for (const auto& n : *names) {
      if (IsDir(dir + "/" + n)) Match(dir + "/" + n, comps, i, out);
    }
    return;
  }
  if (!HasWildcard(c)) {
    if (i + 1 == comps.size() || IsDir(dir + "/" + c)) Match(dir + "/" + c, comps, i + 1, out);
    return;
  }
  auto names = ListDir(dir);
  if (!names.ok()) return;
  for (const auto& n : *names) {
    if (::fnmatch(c.c_str(), n.c_str(), 0) != 0) continue;
    if (i + 1 == comps.size() || IsDir(dir + "/" + n)) Match(dir + "/" + n, comps, i + 1, out);
  }
}

// The host paths matching one pattern line; `search` gets its part before any wildcard.
Result<std::vector<std::string>> MatchLine(const JobContext& ctx, const std::string& line,
                                           std::string* search) {
  ASSIGN_OR_RETURN(std::string host, HostPathOf(ctx, line));
  std::vector<std::string> comps = Components(host);
  size_t fixed = 0;
  while (fixed < comps.size() && !HasWildcard(comps[fixed])) ++fixed;
  std::string base;
  for (size_t i = 0; i < fixed; ++i) base += "/" + comps[i];
  *search = base.empty() ? "/" : base;
  std::vector<std::string> out;
  if (fixed == comps.size()) {
    if (Exists(base)) out.push_back(base);
    return out;
  }
  if (base.empty()) base = "/";
  std::vector<std::string> rest(comps.begin() + static_cast<long>(fixed), comps.end());
  Match(base == "/" ? "" : base, rest, 0, out);
  return out;
}

}  // namespace

std::string NormalizePath(const std::string& path) {
  std::vector<std::string> out;
  for (auto& c : Components(path)) {
    if (c == ".") continue;
    if (c == ".." && !out.empty() && out.back() != "..") {
      out.pop_back();
    } else if (c == ".." && path[0] == '/') {
      continue;  // "/.." is "/"
    } else {
      out.push_back(c);
    }
  }
  std::string s = path.empty() || path[0] != '/' ? "" : "/";
  for (size_t i = 0; i < out.size(); ++i) s += (i ? "/" : "") + out[i];
  return s.empty() ? "." : s;
}

bool PathWithin(const std::string& root, const std::string& path) {
  std::string r = NormalizePath(root), p = NormalizePath(path);
  if (r == "/") return p[0] == '/';
  return p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/');
}

Result<std::string> HostPathOf(const JobContext& ctx, const std::string& job_path) {
  std::string root = WorkspaceHostDir(ctx), rest = job_path;
  auto under = [&](const std::string& prefix) {
    return rest == prefix || rest.rfind(prefix + "/", 0) == 0;
  };
  if (rest == "~" || rest.rfind("~/", 0) == 0) {
    root = HomeHostDir(ctx), rest = rest.substr(1);
  } else if (under(kHome)) {
    root = HomeHostDir(ctx), rest = rest.substr(std::string(kHome).size());
  } else if (under(kWorkspace)) {
    rest = rest.substr(std::string(kWorkspace).size());
  } else if (!rest.empty() && rest[0] == '/') {
    return InvalidArgument("path " + job_path + " is outside " + kWorkspace + " and " + kHome +
                           ": kiln's built-in actions read and write only those");
  }
  std::string host = NormalizePath(root + "/" + rest);
  if (!PathWithin(root, host)) {
    return InvalidArgument("path " + job_path + " leaves " +
                           (root == WorkspaceHostDir(ctx) ? kWorkspace : kHome));
  }
  return host;
}

std::string JobPathOf(const JobContext& ctx, const std::string& host_path) {
  for (auto [root, shown] : {std::pair{WorkspaceHostDir(ctx), std::string(kWorkspace)},
                             std::pair{HomeHostDir(ctx), std::string(kHome)}}) {
    if (PathWithin(root, host_path))
      return shown + NormalizePath(host_path).substr(NormalizePath(root).size());
  }
  return "";
}

std::vector<std::string> InputLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string l = text.substr(i, j - i);
    size_t a = l.find_first_not_of(" \t\r"), b = l.find_last_not_of(" \t\r");
    if (a != std::string::npos) lines.push_back(l.substr(a, b - a + 1));
    i = j + 1;
  }
  return lines;
}

void BuiltinWarning(JobContext& ctx, const std::string& message) {
  ctx.Print("⚠️  warning: " + message);
  Annotation a;
  a.level = "warning";
  a.message = message;
  a.job = ctx.report.name;
  ctx.report.annotations.push_back(std::move(a));
}

bool PathMatches::Excluded(const std::string& host_path) const {
  return std::any_of(excluded.begin(), excluded.end(),
                     [&](const std::string& e) { return PathWithin(e, host_path); });
}

Result<PathMatches> MatchPatterns(const JobContext& ctx, const std::string& text) {
  PathMatches m;
  for (const auto& line : InputLines(text)) {
    if (line[0] == '#') continue;
    bool exclude = line[0] == '!';
    std::string search;
    ASSIGN_OR_RETURN(auto found, MatchLine(ctx, exclude ? line.substr(1) : line, &search));
    if (!exclude) m.search_paths.push_back(search);
    auto& into = exclude ? m.excluded : m.paths;
    into.insert(into.end(), found.begin(), found.end());
  }
  std::sort(m.paths.begin(), m.paths.end());
  m.paths.erase(std::unique(m.paths.begin(), m.paths.end()), m.paths.end());
  std::erase_if(m.paths, [&](const std::string& p) { return m.Excluded(p); });
  return m;
}

}  // namespace kiln::workflow
