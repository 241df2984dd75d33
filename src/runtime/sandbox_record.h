// A sandbox's spec as JSON: saved in its directory (spec.json), so a later kiln process can
// attach to a persistent sandbox, and in warm-pool refill requests (cli/pool_refill.h).
#pragma once

#include <string>

#include "base/json.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

Json SpecToJson(const SandboxSpec& spec, int64_t created);
Result<SandboxSpec> SpecFromJson(const Json& j, int64_t* created);

}  // namespace kiln::runtime
