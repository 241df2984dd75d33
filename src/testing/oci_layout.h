// OCI image layouts made for tests without kiln's own writer: multi-layer images that skopeo
// copies into a registry (kiln then pulls them) or that kiln imports (kiln then pushes them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::testing {

// Writes (or adds to) the OCI image layout `dir`: one image tagged `ref`
// (org.opencontainers.image.ref.name) whose layers are `layers` (tar streams, stored
// uncompressed; skopeo compresses them when copying to a registry), with a linux config for the
// host's architecture listing their diff IDs. Returns the manifest's digest ("sha256:…").
Result<std::string> WriteOciLayout(const std::string& dir, const std::string& ref,
                                   const std::vector<std::string>& layers);

// A tar layer holding Debian's static busybox (busybox-static) as /bin/busybox with every applet
// linked to it, /etc/passwd and /etc/group for root, and /tmp: enough for kiln's and podman's
// `sh` steps. Empty busybox when /bin/busybox is missing (the image then does not run).
std::string BusyboxLayer();

// A tar layer of `files` files of `file_bytes` pseudo-random (incompressible) bytes each, under
// `dir`/, the same for the same seed.
std::string RandomLayer(const std::string& dir, int files, size_t file_bytes, uint64_t seed);

}  // namespace kiln::testing
