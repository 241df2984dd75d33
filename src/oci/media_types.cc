#include "oci/media_types.h"

#include <string>

namespace kiln::oci {

Result<Compression> LayerCompression(std::string_view t) {
  if (t == kMediaTypeLayer || t == "application/vnd.docker.image.rootfs.diff.tar") {
    return Compression::kNone;
  }
  if (t == kMediaTypeLayerGzip || t == kDockerLayerGzip) return Compression::kGzip;
  if (t == kMediaTypeLayerZstd || t == "application/vnd.docker.image.rootfs.diff.tar.zstd") {
    return Compression::kZstd;
  }
  return InvalidArgument("unsupported layer media type \"" + std::string(t) + "\"");
}

const char* LayerMediaType(Compression c) {
  switch (c) {
    case Compression::kNone:
      return kMediaTypeLayer;
    case Compression::kGzip:
      return kMediaTypeLayerGzip;
    case Compression::kZstd:
      return kMediaTypeLayerZstd;
  }
  return kMediaTypeLayer;
}

}  // namespace kiln::oci
