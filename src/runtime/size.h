// Runner sizes: "CPUSxGB" as Depot names them (2x8 = 2 CPUs, 8 GB memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiln::runtime {

struct Size {
  int cpus = 0;
  int64_t memory_bytes = 0;  // GiB × 2^30
  std::string name;          // "2x8"
};

// Parses "2x8", "4x16", … . The sizes of Depot's table (2x8, 4x16, 8x32, 16x64, 32x128, 64x256)
// and any other "<cpus>x<GB>" with cpus ≥ 1 and GB ≥ 1 are accepted; anything else is
// InvalidArgument with the accepted form in the message.
Result<Size> ParseSize(std::string_view text);
// True when `have` is at least `need` in both CPUs and memory.
bool SizeFits(const Size& have, const Size& need);

}  // namespace kiln::runtime
