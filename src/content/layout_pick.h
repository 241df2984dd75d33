// Choosing the image in a layout's index (internal to content/).
#pragma once

#include <functional>
#include <string>

#include "oci/types.h"

namespace kiln::content {

// The index entry whose ref.name is `ref` (or ends in ":ref"); with an empty ref, the only
// entry. `where` names the source in messages.
Result<oci::Descriptor> PickManifest(const oci::Index& index, const std::string& ref,
                                     const std::string& where);
// If `d` is an image index, the entry for the host platform (read through `read`); else `d`.
Result<oci::Descriptor> ResolvePlatform(const oci::Descriptor& d,
                                        const std::function<Result<std::string>(const oci::Descriptor&)>& read);

}  // namespace kiln::content
