#include "images/chain.h"

#include <cstdlib>

namespace kiln::images {
namespace {

size_t RootLayers(const Image& base) {
  const oci::ImageConfig& config = base.config();
  size_t total = base.loaded.manifest.layers.size();
  auto label = config.labels.find(kLabelRootLayers);
  if (label != config.labels.end()) {
    char* end = nullptr;
    unsigned long n = std::strtoul(label->second.c_str(), &end, 10);
    if (end != label->second.c_str() && *end == '\0' && n <= total) return n;
  }
  size_t layer = 0;
  for (const auto& h : config.history) {
    if (h.empty_layer) continue;
    if (h.created_by.rfind("kiln snapshot", 0) == 0) return layer;
    ++layer;
  }
  return total;
}

}  // namespace

ChainPlan PlanChain(const Image& base, int max_layers) {
  ChainPlan plan;
  plan.root_layers = RootLayers(base);
  size_t total = base.loaded.manifest.layers.size();
  plan.layers_after = total + 1;
  // Squashing helps only when there is a chain to squash (more than one layer becomes one).
  if (max_layers > 0 && plan.layers_after > static_cast<size_t>(max_layers) &&
      total > plan.root_layers) {
    plan.squash = true;
    plan.layers_after = plan.root_layers + 1;
  }
  return plan;
}

}  // namespace kiln::images
