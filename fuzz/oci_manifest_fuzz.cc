// libFuzzer target: registry and layout JSON (manifest, index, image config) through the oci/
// parsers, re-serialised, and an index through platform resolution, where each nested index
// reads the same input again (so a self-referencing index tests the depth cap).
#include <cstddef>
#include <cstdint>
#include <string>

#include "content/layout_pick.h"
#include "oci/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (auto m = kiln::oci::ParseManifest(text); m.ok()) {
    (void)kiln::oci::ParseManifest(kiln::oci::SerializeManifest(*m));
  }
  if (auto c = kiln::oci::ParseImageConfig(text); c.ok()) {
    (void)kiln::oci::ParseImageConfig(kiln::oci::SerializeImageConfig(*c));
  }
  auto index = kiln::oci::ParseIndex(text);
  if (!index.ok()) return 0;
  (void)kiln::oci::ParseIndex(kiln::oci::SerializeIndex(*index));
  (void)kiln::content::PickManifest(*index, "latest", "fuzz");
  for (const auto& d : index->manifests) {
    auto read = [&](const kiln::oci::Descriptor&) -> kiln::Result<std::string> { return text; };
    (void)kiln::content::ResolvePlatform(d, read);
  }
  return 0;
}
