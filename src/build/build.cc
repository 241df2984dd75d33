#include "build/build.h"

namespace kiln::build {

Result<BuildResult> Build(jobs::Engine& engine, const BuildRequest& request) {
  return FailedPrecondition("kiln build: not implemented yet");
}

}  // namespace kiln::build
