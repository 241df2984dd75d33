// Where an image lives outside kiln's store, as `kiln image import` and `kiln image export`
// name it: skopeo's and podman's transport forms, or a plain path.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace kiln::content {

struct ImageLocation {
  enum class Kind {
    kLayout,   // "oci:DIR[:REF]": an OCI image layout directory
    kArchive,  // "oci-archive:FILE[:REF]": a tar of one
    kPath,     // anything else: a plain path, whose format the command decides (flags, content)
  };
  Kind kind = Kind::kPath;
  std::string path;  // DIR or FILE, never empty
  std::string ref;   // the ref.name inside the layout; empty when none is named

  friend bool operator==(const ImageLocation&, const ImageLocation&) = default;
};

// Parses a location. As skopeo does, the path ends at the first ':' after the transport, and
// the rest is REF (so a DIR holding ':' needs the plain form). InvalidArgument for an empty
// path or an empty REF after ':', and for the other transports skopeo knows (docker://,
// docker-archive:, containers-storage:, dir:, docker-daemon:), which kiln does not read, naming
// the two it does. A plain path is taken as written (it may hold ':' after its first '/').
Result<ImageLocation> ParseImageLocation(std::string_view text);

// The location as written: "oci:DIR:REF", "oci-archive:FILE", or the plain path.
std::string ToString(const ImageLocation& location);

}  // namespace kiln::content
