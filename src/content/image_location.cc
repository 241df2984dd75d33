#include "content/image_location.h"

namespace kiln::content {
namespace {

constexpr std::string_view kLayoutPrefix = "oci:";
constexpr std::string_view kArchivePrefix = "oci-archive:";
constexpr std::string_view kOtherTransports[] = {
    "docker:", "docker-archive:", "containers-storage:", "dir:", "docker-daemon:", "ostree:",
    "sif:"};

}  // namespace

Result<ImageLocation> ParseImageLocation(std::string_view text) {
  std::string shown(text.substr(0, 300));
  if (text.empty()) return InvalidArgument("image location is empty");
  ImageLocation loc;
  std::string_view rest;
  if (text.rfind(kLayoutPrefix, 0) == 0) {
    loc.kind = ImageLocation::Kind::kLayout;
    rest = text.substr(kLayoutPrefix.size());
  } else if (text.rfind(kArchivePrefix, 0) == 0) {
    loc.kind = ImageLocation::Kind::kArchive;
    rest = text.substr(kArchivePrefix.size());
  } else {
    for (std::string_view other : kOtherTransports) {
      if (text.rfind(other, 0) == 0) {
        return InvalidArgument("image location \"" + shown +
                               "\": kiln reads and writes only oci:DIR[:REF], "
                               "oci-archive:FILE[:REF] and plain paths, not " +
                               std::string(other.substr(0, other.size() - 1)) + ":");
      }
    }
    loc.path = std::string(text);
    return loc;
  }
  size_t colon = rest.find(':');
  loc.path = std::string(rest.substr(0, colon));
  if (loc.path.empty()) {
    return InvalidArgument("image location \"" + shown + "\" names no " +
                           (loc.kind == ImageLocation::Kind::kLayout ? "directory" : "file"));
  }
  if (colon != std::string_view::npos) {
    loc.ref = std::string(rest.substr(colon + 1));
    if (loc.ref.empty())
      return InvalidArgument("image location \"" + shown + "\" has an empty REF after ':'");
  }
  return loc;
}

std::string ToString(const ImageLocation& location) {
  std::string prefix;
  if (location.kind == ImageLocation::Kind::kLayout) prefix = kLayoutPrefix;
  if (location.kind == ImageLocation::Kind::kArchive) prefix = kArchivePrefix;
  if (prefix.empty()) return location.path;
  return prefix + location.path + (location.ref.empty() ? "" : ":" + location.ref);
}

}  // namespace kiln::content
