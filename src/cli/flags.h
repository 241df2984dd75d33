// Command-line flags for kiln's subcommands: `--name value`, `--name=value`, `-P value`,
// boolean `--json`, repeated flags, and `--` to end options.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::cli {

struct FlagSpec {
  std::string name;        // "--job"
  std::string short_name;  // "-j" or ""
  bool takes_value = false;
};

class Flags {
 public:
  // Parses `args` (the words after the subcommand). Unknown options are InvalidArgument naming
  // the option. After "--", every word is positional.
  static Result<Flags> Parse(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& specs);

  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  // Last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Every value given, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace kiln::cli
