// Who owns a sandbox: the kiln process's pid and start time (so a recycled pid is not taken
// for the owner). The warm pool names a pooled sandbox's init the same way.
#pragma once

#include <string>

namespace kiln::runtime {

// "<pid> <start time in clock ticks>" of process `pid`; "" when it is gone or a zombie.
std::string ProcessToken(int pid);
// ProcessToken of this process.
std::string OwnerToken();
// True when the process named by `token` still runs (not a zombie either).
bool OwnerAlive(const std::string& token);
// A token as part of a file name ("<pid>.<start>") and back.
std::string TokenForName(const std::string& token);
std::string TokenFromName(const std::string& name);

}  // namespace kiln::runtime
