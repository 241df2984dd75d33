// What the runner needs from the image side: an image name resolved to the layer dirs a
// sandbox is made of. The CLI implements it over the content store and layer cache; tests use
// a fake.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "oci/types.h"

namespace kiln::workflow {

struct JobImage {
  std::string ref;     // as resolved for people: "ci-tools:1.2.0", "debian:bookworm"
  std::string digest;  // manifest digest
  std::vector<std::string> lower_dirs;  // bottom first
  oci::ImageConfig config;
  std::string generated_on_size;  // custom images: the runner size they were made on, or ""
};

class ImageProvider {
 public:
  virtual ~ImageProvider() = default;
  virtual Result<JobImage> Get(const std::string& image_ref) = 0;
};

}  // namespace kiln::workflow
