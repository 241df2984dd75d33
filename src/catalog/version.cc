#include "catalog/version.h"

#include <algorithm>
#include <charconv>

namespace kiln::catalog {
namespace {

bool ParseInt(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

}  // namespace

std::string Version::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Result<Version> ParseVersion(std::string_view text) {
  Version v;
  size_t a = text.find('.');
  size_t b = a == std::string_view::npos ? a : text.find('.', a + 1);
  bool ok = a != std::string_view::npos && ParseInt(text.substr(0, a), v.major);
  if (ok && b == std::string_view::npos) {
    ok = ParseInt(text.substr(a + 1), v.minor);
  } else if (ok) {
    ok = ParseInt(text.substr(a + 1, b - a - 1), v.minor) && ParseInt(text.substr(b + 1), v.patch);
  }
  if (!ok) return InvalidArgument("\"" + std::string(text) + "\" is not a version like 1.2.0");
  return v;
}

Result<VersionSpec> ParseVersionSpec(std::string_view text) {
  if (text.empty()) return VersionSpec{};
  int major = 0;
  if (text.size() < 3 || text.substr(text.size() - 2) != ".*" ||
      !ParseInt(text.substr(0, text.size() - 2), major)) {
    return InvalidArgument("version \"" + std::string(text) +
                           "\" must be <major>.* with a non-negative integer major, e.g. 2.*");
  }
  return VersionSpec{major};
}

Version NextVersion(const std::vector<Version>& existing, const VersionSpec& spec) {
  if (existing.empty()) return Version{spec.major.value_or(1), 0, 0};
  int major = spec.major.value_or(-1);
  if (major < 0) {
    // No major asked: continue the newest major line.
    major = std::max_element(existing.begin(), existing.end())->major;
  }
  int next_minor = -1;
  for (const auto& v : existing) {
    if (v.major == major) next_minor = std::max(next_minor, v.minor);
  }
  return Version{major, next_minor + 1, 0};
}

}  // namespace kiln::catalog
