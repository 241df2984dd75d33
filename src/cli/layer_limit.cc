#include "cli/layer_limit.h"

#include <cstdlib>
#include <toml++/toml.h>

#include "base/fs.h"
#include "snapshot/layer_apply.h"

namespace kiln::cli {

std::string ConfigFilePath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KILN_CONFIG"); env != nullptr && *env != '\0') return env;
  return PathExists("/etc/kiln/config.toml") ? "/etc/kiln/config.toml" : "";
}

Result<int64_t> ParseByteSize(const std::string& text) {
  size_t i = 0;
  int64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (int64_t{1} << 50)) return InvalidArgument("size \"" + text + "\" is too large");
    n = n * 10 + (text[i] - '0');
  }
  std::string unit = text.substr(i);
  int shift = -1;
  for (auto [names, s] : {std::pair<const char*, int>{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}}) {
    std::string u = names;
    if (unit == u || (!u.empty() && (unit == u + "B" || unit == u + "iB"))) shift = s;
  }
  if (i == 0 || n <= 0 || shift < 0) {
    return InvalidArgument("size \"" + text + "\" is not a positive number of bytes (e.g. 64G, 500M)");
  }
  if (n > (int64_t{1} << (62 - shift))) return InvalidArgument("size \"" + text + "\" is too large");
  return n << shift;
}

Result<int64_t> LoadMaxLayerUnpacked(const std::string& path) {
  if (path.empty()) return snapshot::kDefaultMaxLayerUnpacked;
  try {
    toml::table t = toml::parse_file(path);
    if (!t.contains("max_layer_unpacked")) return snapshot::kDefaultMaxLayerUnpacked;
    if (auto n = t["max_layer_unpacked"].value<int64_t>()) {
      if (*n <= 0) return InvalidArgument(path + ": max_layer_unpacked must be positive");
      return *n;
    }
    if (auto s = t["max_layer_unpacked"].value<std::string>()) {
      auto r = ParseByteSize(*s);
      if (!r.ok()) return r.status().WithContext(path + ": max_layer_unpacked");
      return r;
    }
    return InvalidArgument(path + ": max_layer_unpacked must be a size such as \"64G\"");
  } catch (const toml::parse_error& e) {
    return InvalidArgument(path + ": " + std::string(e.description()));
  }
}

}  // namespace kiln::cli
