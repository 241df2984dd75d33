#include "cli/image_provider.h"

#include "base/clock.h"
#include "base/log.h"

namespace kiln::cli {

Result<workflow::JobImage> StoreImageProvider::Get(const std::string& image_ref) {
  ASSIGN_OR_RETURN(ResolvedImage resolved, ResolveImage(*app_, image_ref));
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, app_->Layers());
  Stopwatch watch;
  ASSIGN_OR_RETURN(auto dirs, layers->Prepare(resolved.image.manifest, resolved.image.config,
                                               [](const std::string& line) { LogInfo(line); }));
  workflow::JobImage job;
  job.ref = resolved.display;
  job.digest = resolved.image.descriptor.digest.str();
  job.lower_dirs = std::move(dirs);
  job.config = resolved.image.config;
  if (resolved.version) job.generated_on_size = resolved.version->runner_size;
  return job;
}

}  // namespace kiln::cli
