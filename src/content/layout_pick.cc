#include "content/layout_pick.h"

#include "oci/reference.h"

namespace kiln::content {
namespace {

// The variant an architecture implies when none is given.
std::string Variant(const std::string& arch, const std::string& variant) {
  if (!variant.empty()) return variant;
  if (arch == "arm64") return "v8";
  if (arch == "amd64") return "v1";
  return "";
}

// N of "vN", or -1.
int VariantNumber(const std::string& v) {
  if (v.size() < 2 || v[0] != 'v' || v.size() > 3) return -1;
  int n = 0;
  for (char c : v.substr(1)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// How well `p` suits `host`: higher is better, negative never.
int Score(const oci::Platform& p, const oci::Platform& host) {
  if (p.os == "unknown" || p.architecture == "unknown") return -1;
  if (p.os != host.os || p.architecture != host.architecture) return -1;
  std::string want = Variant(host.architecture, host.variant);
  std::string got = Variant(p.architecture, p.variant);
  if (got == want) return 1000;
  if (got.empty()) return 1;
  int g = VariantNumber(got), w = VariantNumber(want);
  if (host.architecture == "arm" && g >= 0 && w >= 0 && g < w) return 10 + g;
  return -1;
}

}  // namespace

std::optional<oci::Descriptor> PickPlatform(const std::vector<oci::Descriptor>& manifests,
                                            const oci::Platform& host) {
  const oci::Descriptor* best = nullptr;
  int best_score = -1;
  for (const auto& m : manifests) {
    int score = m.platform ? Score(*m.platform, host) : -1;
    if (score > best_score) {
      best = &m;
      best_score = score;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

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
    std::optional<oci::Descriptor> picked = PickPlatform(nested.manifests, host);
    if (!picked) {
      return NotFound("image index " + d.digest.Short() + " has no manifest for " + host.os + "/" +
                      host.architecture + (host.variant.empty() ? "" : "/" + host.variant));
    }
    d = *picked;
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
