#include "cli/flags.h"

namespace kiln::cli {
namespace {

const FlagSpec* Find(const std::vector<FlagSpec>& specs, const std::string& word) {
  for (const auto& s : specs) {
    if (word == s.name || (!s.short_name.empty() && word == s.short_name)) return &s;
  }
  return nullptr;
}

}  // namespace

Result<Flags> Flags::Parse(const std::vector<std::string>& args,
                           const std::vector<FlagSpec>& specs) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      flags.positional_.insert(flags.positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (word.size() < 2 || word[0] != '-') {
      flags.positional_.push_back(word);
      continue;
    }
    std::string name = word, value;
    bool inline_value = false;
    if (size_t eq = word.find('='); eq != std::string::npos && word.rfind("--", 0) == 0) {
      name = word.substr(0, eq);
      value = word.substr(eq + 1);
      inline_value = true;
    }
    const FlagSpec* spec = Find(specs, name);
    if (spec == nullptr) return InvalidArgument("unknown option " + name);
    if (!spec->takes_value) {
      if (inline_value) return InvalidArgument("option " + name + " takes no value");
      flags.values_[spec->name].push_back("true");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return InvalidArgument("option " + name + " needs a value");
      value = args[++i];
    }
    flags.values_[spec->name].push_back(value);
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace kiln::cli
