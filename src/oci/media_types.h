// OCI and Docker media types kiln reads and writes.
#pragma once

#include <string_view>

#include "base/status.h"

namespace kiln::oci {

inline constexpr const char* kMediaTypeManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kMediaTypeIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kMediaTypeConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kMediaTypeLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kMediaTypeLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kMediaTypeLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
// Docker schema 2 equivalents, accepted on input.
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

// The annotation that names an image in an OCI layout's index.json.
inline constexpr const char* kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr const char* kAnnotationCreated = "org.opencontainers.image.created";

enum class Compression { kNone, kGzip, kZstd };
// Compression of a layer media type (OCI or Docker); InvalidArgument for a type that is not a
// layer kiln can read (for example a non-distributable or encrypted layer).
Result<Compression> LayerCompression(std::string_view media_type);
// The OCI layer media type for `c`.
const char* LayerMediaType(Compression c);

}  // namespace kiln::oci
