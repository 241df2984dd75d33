// libFuzzer target: image references through oci::Reference. No input may crash, and whatever
// parses must print back as written and reparse to the same value, with and without Docker's
// registry defaults.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "oci/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto ref = kiln::oci::Reference::Parse(text);
  if (!ref.ok()) return 0;
  if (ref->ToString() != text) std::abort();
  auto reparses = [](const kiln::oci::Reference& r) {
    auto again = kiln::oci::Reference::Parse(r.ToString());
    if (!again.ok() || !(*again == r)) std::abort();
  };
  reparses(*ref);
  reparses(ref->WithDefaultTag());
  // The defaults may make a name too long (an error, as docker's); else it must reparse.
  if (auto with = ref->WithRegistryDefaults(); with.ok()) reparses(*with);
  return 0;
}
