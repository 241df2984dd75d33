// What a step's process is given: its id, shell command line and environment.
#include <random>
#include <unordered_map>

#include "workflow/job_context.h"

namespace kiln::workflow {

std::string NewStepId() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) s += kHex[gen() % 16];
  return s;
}

std::vector<std::string> ShellArgs(const std::string& shell, bool has_bash,
                                   const std::string& script) {
  if (shell.empty())
    return has_bash ? std::vector<std::string>{"bash", "-e", script}
                    : std::vector<std::string>{"sh", "-e", script};
  if (shell == "bash") return {"bash", "--noprofile", "--norc", "-eo", "pipefail", script};
  if (shell == "sh") return {"sh", "-e", script};
  if (shell == "python") return {"python", script};
  std::vector<std::string> args;
  std::string word;
  bool replaced = false;
  for (size_t i = 0; i <= shell.size(); ++i) {
    if (i == shell.size() || shell[i] == ' ') {
      if (!word.empty()) {
        size_t p = word.find("{0}");
        if (p != std::string::npos) {
          word.replace(p, 3, script);
          replaced = true;
        }
        args.push_back(word);
      }
      word.clear();
    } else {
      word += shell[i];
    }
  }
  if (!replaced) args.push_back(script);
  return args;
}

EnvIndex::EnvIndex(EnvMap& env) : env_(env) {
  for (size_t i = 0; i < env_.size(); ++i) index_.emplace(env_[i].first, i);
}

void EnvIndex::Set(const std::string& key, const std::string& value) {
  auto [it, added] = index_.emplace(key, env_.size());
  if (added)
    env_.emplace_back(key, value);
  else
    env_[it->second].second = value;
}

void SetEnv(EnvMap& env, const std::string& key, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == key) {
      v = value;
      return;
    }
  }
  env.emplace_back(key, value);
}

std::vector<std::string> ProcessEnv(const JobContext& ctx, const EnvMap& step_env) {
  EnvMap env = ctx.env;
  EnvIndex index(env);
  bool step_sets_path = false;
  for (const auto& [k, v] : step_env) {
    index.Set(k, v);
    step_sets_path |= k == "PATH";
  }
  if (!step_sets_path) {
    std::string path;
    for (const auto& p : ctx.paths) path += p + ":";
    index.Set("PATH", path + ctx.base_path);
  }
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace kiln::workflow
