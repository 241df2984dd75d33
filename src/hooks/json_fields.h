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
// j[key] (userMountVolumes, systemMountVolumes): absent or null = none; else a list of
// {"sourceVolumePath", "targetVolumePath" (both strings, required), "readOnly" (a boolean,
// default false)}, appended to `out` in order. InvalidArgument naming `key` and the field.
Status Mounts(const Json& j, const char* key, std::vector<Mount>* out);
// j["registry"]: absent or null leaves `out` unset; else an object whose username, password
// and serverUrl are strings or absent/null (""). InvalidArgument naming the field, never
// quoting a value (the password is a secret).
Status ReadRegistry(const Json& j, std::optional<Registry>* out);

}  // namespace kiln::hooks
