#include "workflow/parse_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kiln::workflow {

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) out.push_back(std::move(line));
    pos = end + 1;
  }
  return out;
}

void ExpectMap(const Ctx& c, const YAML::Node& n, const std::string& what) {
  if (!n.IsMap()) c.Fail(n, what + " must be a mapping");
}

void CheckKeys(const Ctx& c, const YAML::Node& n, const std::set<std::string>& allowed,
               const std::string& what) {
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    if (!allowed.count(key)) c.Fail(kv.first, "unknown key \"" + key + "\" in " + what);
  }
}

std::string Scalar(const Ctx& c, const YAML::Node& n, const std::string& what) {
  if (n.IsNull()) return "";
  if (!n.IsScalar()) c.Fail(n, what + " must be a string");
  return n.Scalar();
}

double Number(const Ctx& c, const YAML::Node& n, const std::string& what) {
  std::string s = Scalar(c, n, what);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') c.Fail(n, what + " must be a number");
  return v;
}

bool Bool(const Ctx& c, const YAML::Node& n, const std::string& what) {
  std::string s = Scalar(c, n, what);
  if (s == "true") return true;
  if (s == "false") return false;
  c.Fail(n, what + " must be true or false");
}

EnvMap ParseEnv(const Ctx& c, const YAML::Node& n) {
  if (n.IsScalar()) return {{"", n.Scalar()}};  // an expression producing a map; rare
  ExpectMap(c, n, "env");
  EnvMap env;
  for (const auto& kv : n) env.emplace_back(kv.first.Scalar(), Scalar(c, kv.second, "env value"));
  return env;
}

void CheckId(const Ctx& c, const YAML::Node& n, const std::string& id, const std::string& what) {
  auto alpha = [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
  };
  auto rest = [&](char ch) { return alpha(ch) || (ch >= '0' && ch <= '9') || ch == '-'; };
  bool ok = !id.empty() && alpha(id[0]) && std::all_of(id.begin(), id.end(), rest);
  if (!ok) {
    std::string shown = id.size() > 60 ? id.substr(0, 57) + "..." : id;
    c.Fail(n, "invalid " + what + " \"" + shown + "\": it must start with a letter or '_' and " +
                  "contain only letters, digits, '-' and '_'");
  }
}

Json ToJson(const Ctx& c, const YAML::Node& n) {
  if (n.IsNull()) return nullptr;
  if (n.IsSequence()) {
    Json a = Json::array();
    for (const auto& x : n) a.push_back(ToJson(c, x));
    return a;
  }
  if (n.IsMap()) {
    Json o = Json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(c, kv.second);
    return o;
  }
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: always a string
  if (s == "true") return true;
  if (s == "false") return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0' && s.find_first_not_of("0123456789.-+eE") == std::string::npos) {
    bool integral = std::fabs(v) < 9.0e15 && v == std::floor(v);
    if (integral && s.find('.') == std::string::npos) {
      return static_cast<int64_t>(v);
    }
    return v;
  }
  return s;
}

std::string StripExpr(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  size_t b = s.find_last_not_of(" \t\n");
  if (a == std::string::npos) return "";
  std::string t = s.substr(a, b - a + 1);
  if (t.rfind("${{", 0) == 0 && t.size() >= 5 && t.substr(t.size() - 2) == "}}" &&
      t.find("${{", 3) == std::string::npos) {
    return t.substr(3, t.size() - 5);
  }
  return t;
}

std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > 60 ? line.substr(0, 57) + "..." : line;
}

}  // namespace kiln::workflow
