// The images jobs run on, for the workflow runner: resolves a name (custom image version or
// layout name), makes sure its layers are in the layer cache, and hands back the lower dirs.
#pragma once

#include "cli/app.h"
#include "workflow/image_provider.h"

namespace kiln::cli {

class StoreImageProvider : public workflow::ImageProvider {
 public:
  explicit StoreImageProvider(App* app) : app_(app) {}
  Result<workflow::JobImage> Get(const std::string& image_ref) override;

 private:
  App* app_;
};

}  // namespace kiln::cli
