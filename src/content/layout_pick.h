// Choosing the image in a layout's index, and naming one in it (internal to content/).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "content/image_store.h"
#include "oci/types.h"

namespace kiln::content {

// The index entry whose ref.name is `ref` (or ends in ":ref"); with an empty ref, the only
// entry. `where` names the source in messages.
Result<oci::Descriptor> PickManifest(const oci::Index& index, const std::string& ref,
                                     const std::string& where);
// How many image indexes may nest inside each other before a manifest (containerd allows 8).
inline constexpr int kMaxIndexDepth = 8;

// The entry of an index's `manifests` for `host`, as containerd's matcher picks it: same os and
// architecture; the variant the host's (arm64: "v8" or none; amd64: "v1" or none), else for arm
// the highest variant at or below the host's (v7 over v6 over v5), else an entry without one.
// Entries without a platform or for unknown/unknown (the attestation manifests buildx writes)
// never match. nullopt when none does.
std::optional<oci::Descriptor> PickPlatform(const std::vector<oci::Descriptor>& manifests,
                                            const oci::Platform& host);

// If `d` is an image index, the entry for the host platform (read through `read`); else `d`.
// Indexes nested deeper than kMaxIndexDepth are InvalidArgument naming the depth.
Result<oci::Descriptor> ResolvePlatform(
    const oci::Descriptor& d,
    const std::function<Result<std::string>(const oci::Descriptor&)>& read);

// The index entry for `img` with ref.name `ref` (empty: the tag part of its name, or "latest").
oci::Descriptor TaggedEntry(const LoadedImage& img, const std::string& ref);
// The blobs a layout must hold for `img`: config, layers, then the manifest.
std::vector<oci::Descriptor> BlobsOf(const LoadedImage& img);

}  // namespace kiln::content
