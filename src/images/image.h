// An image as kiln runs it: resolved from the name a job or command gives, and (once prepared)
// with its layers unpacked in the layer cache.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "content/image_store.h"

namespace kiln::images {

struct Image {
  std::string ref;                                // for people: "ci-tools:1.2.0", "debian:bookworm"
  content::LoadedImage loaded;                    // manifest, config, descriptor
  std::optional<catalog::VersionRecord> version;  // set for custom images (catalogue versions)
  std::vector<std::string> lower_dirs;            // layer-cache dirs, bottom first (once prepared)

  const oci::Digest& digest() const { return loaded.descriptor.digest; }
  const oci::ImageConfig& config() const { return loaded.config; }
  // The size a custom image was made on ("2x8"), or "".
  std::string generated_on_size() const { return version ? version->runner_size : ""; }
};

}  // namespace kiln::images
