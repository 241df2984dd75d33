// Names of repositories, as the OCI distribution spec defines them.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace kiln::oci {

// The longest repository name accepted (the distribution spec lets registries refuse longer).
inline constexpr size_t kMaxRepositoryName = 255;

// OK when `name` matches the distribution spec's repository grammar
//   [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
// (so no "..", no leading, trailing or doubled "/", no upper case, nothing outside [a-z0-9._/-])
// and is at most kMaxRepositoryName bytes; InvalidArgument saying what is wrong otherwise.
// Linear time, no regex.
Status ValidateRepositoryName(std::string_view name);

}  // namespace kiln::oci
