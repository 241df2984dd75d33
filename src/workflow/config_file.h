// kiln's config file (TOML; docs/config.md lists every key): one model and one parser, so every
// command reads the same file the same way. Unknown keys and values of the wrong type are
// errors naming FILE:LINE and the keys there are, never ignored.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "oci/media_types.h"
#include "runtime/size.h"
#include "snapshot/layer_apply.h"

namespace kiln::workflow {

inline constexpr int kDefaultMaxLayers = 32;
// overlayfs stacks at most 500 lower layers (the kernel's OVL_MAX_STACK).
inline constexpr int kMaxMaxLayers = 500;

struct Config {
  std::string path;           // the file it was read from; "" = none (every default)
  std::string default_image;  // the image of a job nothing else maps to an image; "" = none
  std::string default_size = runtime::kDefaultSize;  // the size of a job that names none
  int warm_pool = 0;                          // pooled sandboxes kept per image and size, 0 to 64
  std::map<std::string, std::string> labels;  // [labels] runs-on label → image
  std::map<std::string, int64_t> disk;        // [sizes."2x8"] disk = "50G", by size name
  // The most bytes one layer may unpack to (and 10,000,000 entries; snapshot/layer_apply.h).
  int64_t max_layer_unpacked = snapshot::kDefaultMaxLayerUnpacked;
  std::string init_path;  // the kiln-init binary; "" = look beside kiln and in its libexec
  // The longest chain of snapshot layers: the version that would pass it is squashed into one
  // layer over the original base.
  int max_layers = kDefaultMaxLayers;
  // Registry hosts ("host:port") reached without certificate checks, over plain HTTP when they
  // speak no TLS (as podman's registries.conf `insecure = true`).
  std::vector<std::string> insecure_registries;
  // How new snapshot layers are compressed: "gzip" (every OCI tool reads it) or "zstd".
  oci::Compression layer_compression = oci::Compression::kGzip;
  // The network jobs' sandboxes join: a kiln network's name (egress through NAT, the host
  // fenced off), or "none" (loopback only).
  std::string job_network = "kiln";
};

// Reads the file at `path`; "" gives every default. InvalidArgument for a file that cannot be
// read ("config file nope.toml: No such file or directory"), a TOML syntax error
// (FILE:LINE:COLUMN), an unknown key ("config.toml:3: unknown key default_imag (keys:
// default_image, …)"), a value of the wrong type or out of range (FILE:LINE and what it must be).
Result<Config> LoadConfigFile(const std::string& path);

// The config file in effect: `flag` (--config) when set, else $KILN_CONFIG when set, else
// /etc/kiln/config.toml when it exists, else "".
std::string ConfigPath(const std::string& flag);

// "64G" → 64 << 30; "500M", "2GiB", "1KB" (binary units K, M, G, T, with an optional B or
// iB); "123" → 123. InvalidArgument if not a positive byte count.
Result<int64_t> ParseByteSize(const std::string& text);

}  // namespace kiln::workflow
