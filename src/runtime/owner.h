// Who owns a sandbox: the kiln process's pid and start time (so a recycled pid is not taken
// for the owner).
#pragma once

#include <string>

namespace kiln::runtime {

// "<pid> <start time in clock ticks>" of this process.
std::string OwnerToken();
// True when the process named by `token` still runs.
bool OwnerAlive(const std::string& token);

}  // namespace kiln::runtime
