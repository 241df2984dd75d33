// The table of built-in actions (builtin_actions.h).
#include "workflow/builtin_actions.h"

#include <vector>

#include "workflow/builtin_actions_internal.h"

namespace kiln::workflow {

const BuiltinAction* FindBuiltinAction(const std::string& uses) {
  static const std::vector<BuiltinAction> table = {
      {"actions/checkout", CheckoutMain, nullptr},
      {"actions/cache", CacheRestore, CachePost},
      {"actions/cache/restore", CacheRestore, nullptr},
      {"actions/cache/save", CacheSave, nullptr},
      {"actions/upload-artifact", UploadArtifact, nullptr},
      {"actions/download-artifact", DownloadArtifact, nullptr},
  };
  std::string name = uses.substr(0, uses.find('@'));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& a : table) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace kiln::workflow
