// Steps that change the config only (and WORKDIR, which also makes its directory): steps.h.
#include <regex>

#include "base/fs.h"
#include "base/json.h"
#include "build/steps.h"

namespace kiln::build {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// `K=V ...` words, or the legacy `K V` (the rest of the line is the value); expanded against
// the variables before the instruction, as docker does.
Result<Pairs> ParsePairs(const Instruction& in, const BuildState& s) {
  Vars vars = ExpansionVars(s);
  Pairs out;
  if (in.words[0].text.find('=') == std::string::npos) {
    ASSIGN_OR_RETURN(std::string key, Expand(in.words[0].text, vars, s.escape, in.words[0].loc));
    size_t at = in.rest.find_first_of(" \t");
    std::string value = at == std::string::npos ? "" : in.rest.substr(at);
    value.erase(0, value.find_first_not_of(" \t"));
    if (value.empty()) return ErrorAt(in.loc, in.name + " " + key + " needs a value");
    ASSIGN_OR_RETURN(std::string v, Expand(value, vars, s.escape, in.words[0].loc));
    out.emplace_back(key, v);
    return out;
  }
  for (const auto& w : in.words) {
    size_t eq = w.text.find('=');
    if (eq == std::string::npos) return ErrorAt(w.loc, in.name + ": '" + w.text + "' is not K=V");
    ASSIGN_OR_RETURN(std::string key, Expand(w.text.substr(0, eq), vars, s.escape, w.loc));
    ASSIGN_OR_RETURN(std::string value, Expand(w.text.substr(eq + 1), vars, s.escape, w.loc));
    if (key.empty()) return ErrorAt(w.loc, in.name + ": empty name in '" + w.text + "'");
    out.emplace_back(key, value);
  }
  return out;
}

void SetEnv(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  for (auto& e : env) {
    if (e.compare(0, key.size() + 1, key + "=") == 0) {
      e = key + "=" + value;
      return;
    }
  }
  env.push_back(key + "=" + value);
}

// Edits a field of config.config that ImageConfig has no member for (ExposedPorts, Shell).
void SetRawConfigField(oci::ImageConfig& c, const std::string& field, const Json& value) {
  Json j = Json::object();
  if (!c.raw.empty()) {
    auto parsed = ParseJson(c.raw, "image config");
    if (parsed.ok() && parsed->is_object()) j = std::move(*parsed);
  }
  if (!j["config"].is_object()) j["config"] = Json::object();
  j["config"][field] = value;
  c.raw = DumpJson(j);
}

Json RawConfigField(const oci::ImageConfig& c, const std::string& field) {
  if (c.raw.empty()) return nullptr;
  auto j = ParseJson(c.raw, "image config");
  if (!j.ok() || !j->contains("config") || !(*j)["config"].is_object()) return nullptr;
  return (*j)["config"].value(field, Json());
}

Result<std::vector<std::string>> ExposedPorts(const Instruction& in, const BuildState& s) {
  static const std::regex kPort(R"((\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?)", std::regex::icase);
  Vars vars = ExpansionVars(s);
  std::vector<std::string> out;
  for (const auto& w : in.words) {
    ASSIGN_OR_RETURN(std::string p, Expand(w.text, vars, s.escape, w.loc));
    std::smatch m;
    if (!std::regex_match(p, m, kPort)) return ErrorAt(w.loc, "EXPOSE: bad port '" + p + "'");
    int lo = std::stoi(m[1]), hi = m[2].matched ? std::stoi(m[2]) : lo;
    if (lo < 1 || hi > 65535 || hi < lo || hi - lo > 1024)
      return ErrorAt(w.loc, "EXPOSE: bad port range '" + p + "'");
    std::string proto = m[3].matched ? std::string(m[3]) : "tcp";
    for (auto& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int port = lo; port <= hi; ++port) out.push_back(std::to_string(port) + "/" + proto);
  }
  return out;
}

// CMD and ENTRYPOINT: the exec form as given, the shell form through the current SHELL.
std::vector<std::string> Command(const Instruction& in, const oci::ImageConfig& c) {
  if (in.exec_form) return in.exec;
  std::vector<std::string> out = ShellOf(c);
  out.push_back(in.rest);
  return out;
}

// Applies `in` to `c`; returns the text that stands for it in the cache key and history.
Result<std::string> Apply(const Instruction& in, BuildState& s, oci::ImageConfig& c) {
  const std::string& n = in.name;
  if (n == "ENV" || n == "LABEL") {
    ASSIGN_OR_RETURN(Pairs pairs, ParsePairs(in, s));
    Json key = Json::array();
    for (const auto& [k, v] : pairs) {
      if (n == "ENV")
        SetEnv(c.env, k, v);
      else
        c.labels[k] = v;
      key.push_back(k + "=" + v);
    }
    return n + " " + DumpJson(key);
  }
  if (n == "USER" || n == "WORKDIR") {
    ASSIGN_OR_RETURN(std::string v,
                     Expand(in.words[0].text, ExpansionVars(s), s.escape, in.words[0].loc));
    if (v.empty()) return ErrorAt(in.words[0].loc, n + " is empty after substitution");
    if (n == "USER")
      c.user = v;
    else
      c.working_dir = CleanAbsolute(c.working_dir.empty() ? "/" : c.working_dir, v);
    return n + " " + (n == "USER" ? c.user : c.working_dir);
  }
  if (n == "EXPOSE") {
    ASSIGN_OR_RETURN(std::vector<std::string> ports, ExposedPorts(in, s));
    Json exposed = RawConfigField(c, "ExposedPorts");
    if (!exposed.is_object()) exposed = Json::object();
    for (const auto& p : ports) exposed[p] = Json::object();
    SetRawConfigField(c, "ExposedPorts", exposed);
    return n + " " + DumpJson(Json(ports));
  }
  if (n == "SHELL") {
    SetRawConfigField(c, "Shell", in.exec);
    return n + " " + DumpJson(Json(in.exec));
  }
  std::vector<std::string> cmd = Command(in, c);
  if (n == "ENTRYPOINT") {
    c.entrypoint = cmd;
    if (!s.cmd_set) c.cmd.clear();  // as docker: ENTRYPOINT resets the CMD of the base image
  } else {
    c.cmd = cmd;
    s.cmd_set = true;
  }
  return n + " " + DumpJson(Json(cmd));
}

}  // namespace

std::vector<std::string> ShellOf(const oci::ImageConfig& config) {
  Json shell = RawConfigField(config, "Shell");
  std::vector<std::string> out;
  if (shell.is_array()) {
    for (const auto& e : shell)
      if (e.is_string()) out.push_back(e.get<std::string>());
  }
  if (out.empty()) out = {"/bin/sh", "-c"};
  return out;
}

Result<StepPlan> PlanConfig(const Instruction& in, BuildState& s) {
  oci::ImageConfig config = s.image.config;
  ASSIGN_OR_RETURN(std::string text, Apply(in, s, config));
  if (in.name != "WORKDIR") {
    return StepPlan{
        text, [&s, config, text](const std::string&) { return CommitConfig(s, config, text); }};
  }
  return StepPlan{text, [&s, config, text](const std::string&) -> Result<oci::Descriptor> {
                    ASSIGN_OR_RETURN(std::vector<std::string> lower, LowerDirs(s));
                    if (ImageHasDir(lower, config.working_dir))
                      return CommitConfig(s, config, text);
                    ASSIGN_OR_RETURN(std::string runs, s.engine->RunsDir());
                    ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(runs, "build-"));
                    Status staged =
                        StageDirs(lower, tmp, ResolveInImage(lower, config.working_dir));
                    auto made = staged.ok() ? CommitLayer(s, tmp, config, text)
                                            : Result<oci::Descriptor>(staged);
                    (void)RemoveTree(tmp);
                    return made;
                  }};
}

}  // namespace kiln::build
