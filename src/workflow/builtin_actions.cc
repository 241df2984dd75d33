// The table of built-in actions (builtin_actions.h).
#include "workflow/builtin_actions.h"

#include <vector>

namespace kiln::workflow {

const BuiltinAction* FindBuiltinAction(const std::string& uses) {
  static const std::vector<BuiltinAction> table = {};
  std::string name = uses.substr(0, uses.find('@'));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& a : table) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace kiln::workflow
