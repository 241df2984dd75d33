// Custom-image versions, as GitHub's custom images number them: MAJOR.MINOR.0.
//
// A new image starts at 1.0.0; each further snapshot adds a minor version (1.1.0, 1.2.0);
// `version: N.*` makes N.0.0 when major N is new, else the next minor under N. Patch versions
// are not made (always 0), but "1.2.3" parses, for images imported with such tags.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiln::catalog {

struct Version {
  int major = 0, minor = 0, patch = 0;
  std::string ToString() const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 in the defaulted <=>
  friend auto operator<=>(const Version&, const Version&) = default;
  friend bool operator==(const Version&, const Version&) = default;
};

// "1.2.0" (also "1.2"). InvalidArgument otherwise.
Result<Version> ParseVersion(std::string_view text);

// What a snapshot asks for: any (no version given) or a major ("2.*").
struct VersionSpec {
  std::optional<int> major;
};

// "N.*" with N a non-negative integer; "" means any. Anything else is InvalidArgument saying
// the accepted form.
Result<VersionSpec> ParseVersionSpec(std::string_view text);

// The version the next snapshot gets, given the versions that exist (any order) and the spec.
Version NextVersion(const std::vector<Version>& existing, const VersionSpec& spec);

}  // namespace kiln::catalog
