#include "registry/transport.h"

namespace kiln::registry {

std::string Response::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

}  // namespace kiln::registry
