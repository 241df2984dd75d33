#include "images/persist_env.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace kiln::images {
namespace {

bool KilnOwned(const std::string& name) {
  return name.rfind("GITHUB_", 0) == 0 || name.rfind("RUNNER_", 0) == 0 || name == "CI" ||
         name == "HOME" || name == "ImageOS" || name == "ACTIONS_ALLOW_UNSECURE_COMMANDS";
}

}  // namespace

bool LooksSecret(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const char* w :
       {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "PRIVATE", "AUTH"}) {
    if (name.find(w) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> PersistableEnv(const std::vector<std::string>& base_env,
                                        const std::vector<std::string>& final_env,
                                        const std::vector<std::string>& secret_names,
                                        const std::vector<std::string>& secret_values,
                                        std::vector<std::string>* left_out) {
  std::set<std::string> secrets(secret_names.begin(), secret_names.end());
  std::vector<std::string> out = base_env;
  auto set = [&](const std::string& k, const std::string& kv) {
    for (auto& e : out) {
      if (e.rfind(k + "=", 0) == 0) {
        e = kv;
        return;
      }
    }
    out.push_back(kv);
  };
  for (const auto& kv : final_env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (KilnOwned(k)) continue;
    bool holds_secret = secrets.count(k) != 0 || LooksSecret(k);
    for (const auto& s : secret_values)
      holds_secret |= !s.empty() && v.find(s) != std::string::npos;
    if (!holds_secret) {
      set(k, kv);
    } else if (left_out != nullptr) {
      left_out->push_back(k);
    }
  }
  return out;
}

}  // namespace kiln::images
