#include "content/image_store.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <optional>

#include "base/fs.h"
#include "oci/reference.h"

namespace kiln::content {
namespace {

const char kLayoutFile[] = R"({"imageLayoutVersion":"1.0.0"})";

std::string RefName(const oci::Descriptor& d) {
  auto it = d.annotations.find(oci::kAnnotationRefName);
  return it == d.annotations.end() ? "" : it->second;
}

}  // namespace

Result<std::string> NormalizeImageName(std::string_view name) {
  ASSIGN_OR_RETURN(oci::Reference ref, oci::Reference::Parse(name));
  if (ref.IsDigestOnly()) {
    return InvalidArgument("\"" + std::string(name) +
                           "\" is a digest, not an image name (NAME[:TAG])");
  }
  return ref.WithDefaultTag().ToString();
}

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root) {
  ASSIGN_OR_RETURN(auto blobs, DiskBlobStore::Open(root));
  if (!PathExists(JoinPath(root, "oci-layout"))) {
    RETURN_IF_ERROR(WriteFileAtomic(JoinPath(root, "oci-layout"), kLayoutFile));
  }
  if (!PathExists(JoinPath(root, "index.json"))) {
    RETURN_IF_ERROR(WriteFileAtomic(JoinPath(root, "index.json"), oci::SerializeIndex({})));
  }
  // Temp files of killed writers are swept by the caller (cli/app.cc), which reports them.
  ASSIGN_OR_RETURN(UniqueFd users,
                   kiln::Open(JoinPath(root, "users.lock"), O_RDWR | O_CREAT, 0600));
  while (::flock(users.get(), LOCK_SH) != 0) {
    if (errno != EINTR) return ErrnoStatus("lock " + JoinPath(root, "users.lock"), errno);
  }
  return std::unique_ptr<ImageStore>(new ImageStore(root, std::move(blobs), std::move(users)));
}

Result<oci::Index> ImageStore::ReadIndex() {
  ASSIGN_OR_RETURN(std::string text, ReadFile(JoinPath(root_, "index.json")));
  auto index = oci::ParseIndex(text);
  if (!index.ok()) return index.status().WithContext(JoinPath(root_, "index.json"));
  return index;
}

Result<UniqueFd> ImageStore::LockIndex() {
  ASSIGN_OR_RETURN(UniqueFd lock,
                   kiln::Open(JoinPath(root_, "index.json.lock"), O_RDWR | O_CREAT, 0600));
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("lock index.json", errno);
  }
  return lock;
}

Status ImageStore::EditIndex(const std::function<Status(oci::Index&)>& edit) {
  ASSIGN_OR_RETURN(UniqueFd lock, LockIndex());
  ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
  RETURN_IF_ERROR(edit(index));
  return WriteFileAtomic(JoinPath(root_, "index.json"), oci::SerializeIndex(index));
}

Status ImageStore::Tag(const std::string& name, const oci::Descriptor& manifest) {
  ASSIGN_OR_RETURN(std::string full, NormalizeImageName(name));
  return EditIndex([&](oci::Index& index) -> Status {
    // Checked under the lock that deletions take, so the blobs cannot go before the name lands.
    ASSIGN_OR_RETURN(std::string text, blobs_->Read(manifest.digest));
    ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(text));
    if (!blobs_->Has(m.config.digest))
      return FailedPrecondition("config " + m.config.digest.str() + " missing");
    for (const auto& l : m.layers) {
      if (!blobs_->Has(l.digest)) return FailedPrecondition("layer " + l.digest.str() + " missing");
    }
    std::erase_if(index.manifests, [&](const oci::Descriptor& d) { return RefName(d) == full; });
    oci::Descriptor entry = manifest;
    if (entry.media_type.empty()) entry.media_type = oci::kMediaTypeManifest;
    entry.annotations[oci::kAnnotationRefName] = full;
    index.manifests.push_back(entry);
    return Status::Ok();
  });
}

Status ImageStore::Untag(const std::string& name) {
  ASSIGN_OR_RETURN(std::string full, NormalizeImageName(name));
  return EditIndex([&](oci::Index& index) {
    size_t n = std::erase_if(index.manifests,
                             [&](const oci::Descriptor& d) { return RefName(d) == full; });
    return n == 0 ? NotFound("no image named " + full) : Status::Ok();
  });
}

namespace {

// The one manifest in `index` whose digest starts with `text` (12 or more hex digits, with or
// without "sha256:"), if exactly one does.
std::optional<oci::Descriptor> ByDigestPrefix(const oci::Index& index, std::string_view text) {
  if (text.rfind("sha256:", 0) == 0) text.remove_prefix(7);
  if (text.size() < 12 || text.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<oci::Descriptor> hits;
  for (const auto& d : index.manifests) {
    bool seen = false;
    for (const auto& h : hits) seen |= h.digest == d.digest;
    if (!seen && d.digest.hex().substr(0, text.size()) == text) hits.push_back(d);
  }
  if (hits.size() != 1) return std::nullopt;
  return hits[0];
}

}  // namespace

Result<oci::Descriptor> ImageStore::Resolve(const std::string& name) {
  ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
  auto ref = oci::Reference::Parse(name);
  if (ref.ok() && ref->digest) {
    if (blobs_->Has(*ref->digest)) {
      ASSIGN_OR_RETURN(int64_t size, blobs_->Size(*ref->digest));
      return oci::Descriptor{oci::kMediaTypeManifest, *ref->digest, size, {}, {}};
    }
    if (ref->IsDigestOnly())
      return NotFound("no image with digest " + ref->digest->str() + " (see kiln images)");
  }
  if (auto hit = ByDigestPrefix(index, name)) return *hit;
  if (!ref.ok()) return ref.status();
  std::string full = ref->WithDefaultTag().ToString();
  for (const auto& d : index.manifests) {
    if (RefName(d) == full) return d;
  }
  return NotFound("no image named " + full + " (see kiln images)");
}

Result<LoadedImage> ImageStore::Load(const std::string& name) {
  ASSIGN_OR_RETURN(oci::Descriptor desc, Resolve(name));
  ASSIGN_OR_RETURN(std::string text, blobs_->Read(desc.digest));
  auto manifest = oci::ParseManifest(text);
  if (!manifest.ok()) return manifest.status().WithContext(name);
  ASSIGN_OR_RETURN(std::string config_text, blobs_->Read(manifest->config.digest));
  auto config = oci::ParseImageConfig(config_text);
  if (!config.ok()) return config.status().WithContext(name);
  if (config->diff_ids.size() != manifest->layers.size()) {
    return InvalidArgument(name + ": config has " + std::to_string(config->diff_ids.size()) +
                           " diff IDs for " + std::to_string(manifest->layers.size()) + " layers");
  }
  return LoadedImage{RefName(desc), desc, *manifest, *config};
}

Result<std::vector<ImageRecord>> ImageStore::List() {
  ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
  std::vector<ImageRecord> out;
  for (const auto& d : index.manifests) {
    if (!RefName(d).empty()) out.push_back({RefName(d), d});
  }
  std::sort(out.begin(), out.end(),
            [](const ImageRecord& a, const ImageRecord& b) { return a.name < b.name; });
  return out;
}

}  // namespace kiln::content
