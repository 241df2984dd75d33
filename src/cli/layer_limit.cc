#include "cli/layer_limit.h"

#include "workflow/config_file.h"

namespace kiln::cli {

std::string ConfigFilePath(const std::string& flag) { return workflow::ConfigPath(flag); }

Result<int64_t> ParseByteSize(const std::string& text) { return workflow::ParseByteSize(text); }

Result<int64_t> LoadMaxLayerUnpacked(const std::string& path) {
  ASSIGN_OR_RETURN(workflow::Config config, workflow::LoadConfigFile(path));
  return config.max_layer_unpacked;
}

}  // namespace kiln::cli
