// The parts of a hook call that other parts provide: kiln-snapshot and the Dockerfile builder.
#include "build/build.h"
#include "hooks/hook.h"
#include "jobs/snapshot_handler.h"

namespace kiln::hooks {

std::function<Result<std::string>(const runtime::SnapshotAsk&)> SnapshotHandlerFor(
    const HookContext& ctx, const std::string& sandbox_id) {
  return jobs::SnapshotHandler(*ctx.engine, sandbox_id, ctx.log);
}

Result<std::string> BuildStepImage(const HookContext& ctx, const std::string& dockerfile) {
  if (dockerfile.empty() || dockerfile[0] != '/') {
    return InvalidArgument("dockerfile " + dockerfile + " is not an absolute path");
  }
  build::BuildRequest request;
  request.dockerfile = dockerfile;
  // As the reference's `docker build -f FILE dirname(FILE)`.
  request.context_dir = dockerfile.substr(0, std::max<size_t>(dockerfile.rfind('/'), 1));
  request.log = ctx.log;
  auto built = build::Build(*ctx.engine, request);
  if (!built.ok()) return built.status().WithContext("build " + dockerfile);
  return built->reference;
}

}  // namespace kiln::hooks
