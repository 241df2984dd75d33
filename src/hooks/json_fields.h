// Typed reads of the hooks' JSON input (input.cc, args.cc): each names the field in its error
// and never quotes a value (an env value or a password could be one).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "hooks/input.h"

namespace kiln::hooks {

// The member `key` of `j` when present and not null.
const Json* Field(const Json& j, const char* key);
// A string member; missing or null is an error only when `required`.
Status String(const Json& j, const char* key, bool required, std::string* out);
// A list of strings (a lone string counts as one: prependPath of runners before 2.293.0).
Status Strings(const Json& j, const char* key, std::vector<std::string>* out);
// environmentVariables: names without '=', string values (null ones skipped).
Status Env(const Json& j, std::map<std::string, std::string>* out);
Status Mounts(const Json& j, const char* key, std::vector<Mount>* out);
Status ReadRegistry(const Json& j, std::optional<Registry>* out);

}  // namespace kiln::hooks
