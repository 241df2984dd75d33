#include "runtime/size.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace kiln::runtime {
namespace {

struct Row {
  const char* name;
  int cpus;
  int gb;
};
constexpr std::array<Row, 7> kTable = {{{"1x1", 1, 1},
                                        {"2x8", 2, 8},
                                        {"4x16", 4, 16},
                                        {"8x32", 8, 32},
                                        {"16x64", 16, 64},
                                        {"32x128", 32, 128},
                                        {"64x256", 64, 256}}};
constexpr int64_t kDiskPerCpu = int64_t{25} << 30;

}  // namespace

std::string ValidSizes() {
  std::string out;
  for (const Row& r : kTable) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

std::vector<Size> AllSizes() {
  std::vector<Size> out;
  for (const Row& r : kTable)
    out.push_back({r.cpus, int64_t{r.gb} << 30, r.name, r.cpus * kDiskPerCpu});
  return out;
}

Result<Size> ParseSize(std::string_view text) {
  for (const Size& size : AllSizes()) {
    if (text == size.name) return size;
  }
  std::string shown(text.substr(0, 64));
  return InvalidArgument("size \"" + shown + (text.size() > 64 ? "…" : "") +
                         "\" is not a runner size; the sizes are " + ValidSizes() + " (CPUSxGB)");
}

bool SizeFits(const Size& have, const Size& need) {
  return have.cpus >= need.cpus && have.memory_bytes >= need.memory_bytes;
}

const Size& LargerSize(const Size& a, const Size& b) {
  if (a.cpus != b.cpus) return a.cpus > b.cpus ? a : b;
  return a.memory_bytes >= b.memory_bytes ? a : b;
}

Result<int64_t> ParseBytes(std::string_view text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view rest(p, static_cast<size_t>(text.data() + text.size() - p));
  int shift = rest.empty()  ? 0
              : rest == "K" ? 10
              : rest == "M" ? 20
              : rest == "G" ? 30
              : rest == "T" ? 40
                            : -1;
  if (ec != std::errc() || p == text.data() || shift < 0 || n <= 0 ||
      n > (int64_t{1} << (62 - shift))) {
    return InvalidArgument("\"" + std::string(text) +
                           "\" is not a byte figure (e.g. 50G, 200M, 1T)");
  }
  return n << shift;
}

std::string FormatBinaryBytes(int64_t bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  int u = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf,
                v == static_cast<double>(static_cast<int64_t>(v)) ? "%.0f %s" : "%.1f %s", v,
                units[u]);
  return buf;
}

}  // namespace kiln::runtime
