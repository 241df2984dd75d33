// OCI image-spec data: descriptors, manifests, indexes and image configs, with JSON mapping.
// Pure data, no I/O. Parsing validates what kiln relies on (digests, sizes, required fields)
// and returns InvalidArgument naming the field; unknown fields are kept in `raw` where noted so a
// blob kiln re-serialises loses nothing. The JSON mapping is text in, text out: this header
// does not include nlohmann/json.hpp (oci/types_json.h has the Json-level functions).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace kiln::oci {

struct Platform {
  std::string architecture;  // GOARCH names: amd64, arm64…
  std::string os;            // linux
  std::string variant;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
};

struct Manifest {
  std::string media_type = "application/vnd.oci.image.manifest.v1+json";
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
};

struct HistoryEntry {
  std::string created;     // RFC 3339
  std::string created_by;  // e.g. "kiln snapshot: workflow ci.yml job setup"
  std::string comment;
  bool empty_layer = false;
};

// The parts of an image config kiln reads or writes. `raw` holds the document as parsed (JSON
// text; empty for a new config), and SerializeImageConfig() writes the typed fields over it, so
// unknown fields survive a round trip.
// config.Healthcheck (docker's image format; OCI has none): durations in nanoseconds, 0 = the
// default. test: ["CMD-SHELL", cmd], ["CMD", argv…], ["NONE"] or empty (inherit).
struct HealthConfig {
  std::vector<std::string> test;
  int64_t interval_ns = 0, timeout_ns = 0, start_period_ns = 0;
  int retries = 0;
};

struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string variant;  // "v8" for arm64/v8; empty when none
  std::string created;
  std::vector<std::string> env;         // config.Env, "K=V"
  std::vector<std::string> cmd;         // config.Cmd
  std::vector<std::string> entrypoint;  // config.Entrypoint
  std::string working_dir;              // config.WorkingDir
  std::string user;                     // config.User
  std::map<std::string, std::string> labels;
  std::optional<HealthConfig> healthcheck;  // config.Healthcheck
  std::vector<Digest> diff_ids;             // rootfs.diff_ids, one per layer, bottom first
  std::vector<HistoryEntry> history;
  std::string raw;
};

// A descriptor as its JSON text (for output such as `kiln image inspect --json`).
std::string SerializeDescriptor(const Descriptor& d);
Result<Manifest> ParseManifest(std::string_view text);
std::string SerializeManifest(const Manifest& m);
Result<Index> ParseIndex(std::string_view text);
std::string SerializeIndex(const Index& i);
Result<ImageConfig> ParseImageConfig(std::string_view text);
std::string SerializeImageConfig(const ImageConfig& c);

// The platform kiln runs on, in OCI terms (linux/amd64 on x86-64).
Platform HostPlatform();

}  // namespace kiln::oci
