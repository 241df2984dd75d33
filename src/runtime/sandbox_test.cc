// The Sandbox suite against the fake (host) runtime.
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {

SuiteEnv MakeSuiteEnv(const testing::ScratchDir& dir) {
  return SuiteEnv{NewHostRuntime(dir.path()), {}, false, ""};
}

}  // namespace kiln::runtime
