// Bounds on what a workflow file may expand to (internal to the parser). YAML aliases let a
// small file describe a huge tree (the "billion laughs": 808 bytes of nested aliases expand to
// more than 4 GB once converted to JSON), and nesting through aliases is not bounded by the YAML
// parser's own depth guard. CheckYamlExpansion measures the tree as it will be walked, with every
// alias expanded, in one streaming pass over the events and without building it.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace kiln::workflow {

// Nodes (scalars, sequences, mappings) in the first document with every alias expanded. A large
// real workflow has some tens of thousands.
inline constexpr uint64_t kMaxYamlNodes = 250'000;
// Nesting depth of the first document with every alias expanded.
inline constexpr int kMaxYamlDepth = 128;

// OK, or InvalidArgument "FILE:LINE:COL: …" at the node where a limit is crossed. YAML syntax
// errors are left to the real parse (this returns OK for them).
Status CheckYamlExpansion(const std::string& text, const std::string& file);

}  // namespace kiln::workflow
