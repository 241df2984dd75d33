// Progress of the blobs of a pull or push, for a display (cli/progress.h draws them).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "oci/digest.h"

namespace kiln::images {

struct TransferEvent {
  enum class State {
    kRunning,  // bytes moving: done of total
    kDone,     // transferred (and, for a pulled layer, unpacked)
    kSkipped,  // not transferred: the store or the registry has it (`note` says which)
    kMounted,  // pushed by a cross-repository mount (`note`: the source repository)
    kFailed,
  };
  oci::Digest digest;
  std::string kind;  // "config", "layer", "manifest"
  State state = State::kRunning;
  int64_t done = 0;
  int64_t total = 0;
  std::string note;
};

// Called from the transfer threads, one call at a time (the pull and push serialise them).
using TransferFn = std::function<void(const TransferEvent&)>;

}  // namespace kiln::images
