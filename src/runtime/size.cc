#include "runtime/size.h"

#include <charconv>

namespace kiln::runtime {

Result<Size> ParseSize(std::string_view text) {
  size_t x = text.find('x');
  int cpus = 0, gb = 0;
  auto parse = [](std::string_view s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size() && out >= 1 && out <= 4096;
  };
  if (x == std::string_view::npos || !parse(text.substr(0, x), cpus) || !parse(text.substr(x + 1), gb)) {
    return InvalidArgument("size \"" + std::string(text) +
                           "\" must be CPUSxGB, e.g. 2x8, 4x16, 8x32, 16x64, 32x128, 64x256");
  }
  return Size{cpus, int64_t{gb} << 30, std::string(text)};
}

bool SizeFits(const Size& have, const Size& need) {
  return have.cpus >= need.cpus && have.memory_bytes >= need.memory_bytes;
}

}  // namespace kiln::runtime
