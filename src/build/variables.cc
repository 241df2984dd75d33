// The build's variables: ARG, and what `$X` and a RUN see (steps.h).
#include "base/json.h"
#include "build/steps.h"

namespace kiln::build {

Vars ExpansionVars(const BuildState& s) {
  Vars vars = s.args;
  for (const auto& e : s.image.config.env) {
    size_t eq = e.find('=');
    if (eq != std::string::npos) vars[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return vars;
}

std::vector<std::string> RunEnv(const BuildState& s) {
  std::vector<std::string> env = s.image.config.env;
  std::set<std::string> set;
  for (const auto& e : env) set.insert(e.substr(0, e.find('=')));
  for (const auto& [k, v] : s.args) {
    if (!set.count(k)) env.push_back(k + "=" + v);
  }
  if (!set.count("PATH") && !s.args.count("PATH"))
    env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  return env;
}

Result<std::optional<StepPlan>> PlanArg(const Instruction& in, BuildState& s, bool global) {
  Vars vars = global ? s.global_args : ExpansionVars(s);
  Json key = Json::array();
  for (const auto& w : in.words) {
    size_t eq = w.text.find('=');
    std::string name = w.text.substr(0, eq);
    std::optional<std::string> value;
    if (auto it = s.request->build_args.find(name); it != s.request->build_args.end()) {
      value = it->second;
      s.used_build_args.insert(name);
    } else if (eq != std::string::npos) {
      ASSIGN_OR_RETURN(value, Expand(w.text.substr(eq + 1), vars, s.escape, w.loc));
    } else if (!global && s.global_args.count(name)) {
      value = s.global_args.at(name);  // `ARG NAME` in the stage takes the global value
    }
    Vars& target = global ? s.global_args : s.args;
    if (value)
      target[name] = *value;
    else
      target.erase(name);
    key.push_back(value ? name + "=" + *value : name);
  }
  if (global) return std::optional<StepPlan>();
  std::string text = "ARG " + DumpJson(key);
  StepPlan plan{text,
                [&s, text](const std::string&) { return CommitConfig(s, s.image.config, text); }};
  return std::optional<StepPlan>(std::move(plan));
}

}  // namespace kiln::build
