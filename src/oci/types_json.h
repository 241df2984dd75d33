// The Json-level half of oci/types.h, for the few files that build or read JSON documents
// holding descriptors. Kept apart so that oci/types.h, which most of the tree includes, does
// not pull in nlohmann/json.hpp.
#pragma once

#include "base/json.h"
#include "oci/types.h"

namespace kiln::oci {

// InvalidArgument naming the field when `j` is not a descriptor (digest, size, mediaType).
Result<Descriptor> ParseDescriptor(const Json& j);
OrderedJson ToJson(const Descriptor& d);

}  // namespace kiln::oci
