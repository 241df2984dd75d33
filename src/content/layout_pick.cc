#include "content/layout_pick.h"

#include "oci/reference.h"

namespace kiln::content {

Result<oci::Descriptor> PickManifest(const oci::Index& index, const std::string& ref,
                                     const std::string& where) {
  std::vector<oci::Descriptor> hits;
  std::string names;
  for (const auto& d : index.manifests) {
    auto it = d.annotations.find(oci::kAnnotationRefName);
    std::string name = it == d.annotations.end() ? "" : it->second;
    names += (names.empty() ? "" : ", ") + (name.empty() ? d.digest.Short() : name);
    bool match = ref.empty() || name == ref ||
                 (name.size() > ref.size() &&
                  name.compare(name.size() - ref.size() - 1, std::string::npos, ":" + ref) == 0);
    if (match) hits.push_back(d);
  }
  if (hits.size() == 1) return hits[0];
  if (hits.empty()) {
    return NotFound(where + " has no image " + (ref.empty() ? "" : "named \"" + ref + "\" ") +
                    "(it has: " + names + ")");
  }
  return InvalidArgument(where + " holds several images (" + names +
                         "); name one with oci:DIR:REF");
}

Result<oci::Descriptor> ResolvePlatform(
    const oci::Descriptor& top,
    const std::function<Result<std::string>(const oci::Descriptor&)>& read) {
  oci::Descriptor d = top;
  oci::Platform host = oci::HostPlatform();
  for (int depth = 0;; ++depth) {
    bool is_index =
        d.media_type == oci::kMediaTypeIndex || d.media_type == oci::kDockerManifestList;
    if (!is_index) return d;
    if (depth == kMaxIndexDepth) {
      return InvalidArgument("image index " + top.digest.Short() + " nests more than " +
                             std::to_string(kMaxIndexDepth) + " indexes deep");
    }
    ASSIGN_OR_RETURN(std::string text, read(d));
    ASSIGN_OR_RETURN(oci::Index nested, oci::ParseIndex(text));
    bool found = false;
    for (const auto& m : nested.manifests) {
      if (m.platform && m.platform->os == host.os &&
          m.platform->architecture == host.architecture) {
        d = m;
        found = true;
        break;
      }
    }
    if (!found) {
      return NotFound("image index " + d.digest.Short() + " has no manifest for " + host.os + "/" +
                      host.architecture);
    }
  }
}

oci::Descriptor TaggedEntry(const LoadedImage& img, const std::string& ref) {
  std::string tag = ref;
  if (tag.empty()) {
    auto name = oci::Reference::Parse(img.name);
    tag = name.ok() && !name->tag.empty() ? name->tag : "latest";
  }
  oci::Descriptor entry = img.descriptor;
  entry.annotations = {{oci::kAnnotationRefName, tag}};
  if (entry.media_type.empty()) entry.media_type = oci::kMediaTypeManifest;
  return entry;
}

std::vector<oci::Descriptor> BlobsOf(const LoadedImage& img) {
  std::vector<oci::Descriptor> out = {img.manifest.config};
  out.insert(out.end(), img.manifest.layers.begin(), img.manifest.layers.end());
  out.push_back(img.descriptor);
  return out;
}

}  // namespace kiln::content
