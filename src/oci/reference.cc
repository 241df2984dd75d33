#include "oci/reference.h"

#include <string>

namespace kiln::oci {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsAlnum(c.front()) || !IsAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

}  // namespace

Status ValidateRepositoryName(std::string_view name) {
  std::string shown(name.substr(0, 80));
  auto bad = [&](const std::string& why) {
    return InvalidArgument("repository name \"" + shown + "\" " + why);
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > kMaxRepositoryName) {
    return bad("is longer than " + std::to_string(kMaxRepositoryName) + " bytes");
  }
  if (name.front() == '/') return bad("starts with '/'");
  for (size_t start = 0;;) {
    size_t slash = name.find('/', start);
    std::string_view part =
        name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == "." || part == "..") return bad("has a \"" + std::string(part) + "\" component");
    if (!ValidComponent(part)) {
      return bad(
          "is not lower-case letters and digits separated by '.', '_', '__', '-' or '/' "
          "(the OCI distribution grammar)");
    }
    if (slash == std::string_view::npos) return Status::Ok();
    start = slash + 1;
  }
}

}  // namespace kiln::oci
