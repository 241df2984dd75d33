#include "workflow/image_hint.h"

#include <string>

namespace kiln::workflow {

Status WithImageHint(const Status& s) {
  static const std::string kMissing = "no image named ";
  if (s.ok() || s.code() != Code::kNotFound) return s;
  const std::string& m = s.message();
  size_t at = m.find(kMissing);
  if (at == std::string::npos) return s;
  size_t begin = at + kMissing.size();
  std::string name = m.substr(begin, m.find_first_of(" ;)", begin) - begin);
  return Status(s.code(), m + "; map it with -P " + name +
                              "=IMAGE (an image you have: kiln image ls), import one (kiln "
                              "image import), or pull it from a registry (kiln pull)");
}

}  // namespace kiln::workflow
