// The parts of a hook call that other parts provide: kiln-snapshot and the Dockerfile builder.
#include "hooks/hook.h"

namespace kiln::hooks {

std::function<Result<std::string>(const runtime::SnapshotAsk&)> SnapshotHandlerFor(
    const HookContext&, const std::string&) {
  return nullptr;  // until jobs/snapshot_handler.h lands: kiln-snapshot says it is unavailable
}

Result<std::string> BuildStepImage(const HookContext&, const std::string& dockerfile) {
  return FailedPrecondition("container step from " + dockerfile +
                            ": this kiln has no Dockerfile builder yet");
}

}  // namespace kiln::hooks
