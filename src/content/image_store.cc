#include "content/image_store.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>

#include "base/fs.h"

namespace kiln::content {
namespace {

const char kLayoutFile[] = R"({"imageLayoutVersion":"1.0.0"})";

bool ValidNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '/' || c == ':' || c == '@' || c == '-';
}

std::string RefName(const oci::Descriptor& d) {
  auto it = d.annotations.find(oci::kAnnotationRefName);
  return it == d.annotations.end() ? "" : it->second;
}

}  // namespace

Result<std::string> NormalizeImageName(std::string_view name) {
  if (name.empty()) return InvalidArgument("empty image name");
  for (char c : name) {
    if (!ValidNameChar(c)) {
      return InvalidArgument("image name \"" + std::string(name) + "\" has a character outside [a-zA-Z0-9._/:@-]");
    }
  }
  std::string n(name);
  if (n.find('@') != std::string::npos) return n;
  size_t slash = n.rfind('/');
  size_t colon = n.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) n += ":latest";
  if (n.front() == ':' || n.back() == ':') return InvalidArgument("image name \"" + n + "\" has an empty part");
  return n;
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
  ASSIGN_OR_RETURN(UniqueFd users, kiln::Open(JoinPath(root, "users.lock"), O_RDWR | O_CREAT, 0600));
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
  ASSIGN_OR_RETURN(UniqueFd lock, kiln::Open(JoinPath(root_, "index.json.lock"), O_RDWR | O_CREAT, 0600));
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
    if (!blobs_->Has(m.config.digest)) return FailedPrecondition("config " + m.config.digest.str() + " missing");
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
    size_t n = std::erase_if(index.manifests, [&](const oci::Descriptor& d) { return RefName(d) == full; });
    return n == 0 ? NotFound("no image named " + full) : Status::Ok();
  });
}

Result<oci::Descriptor> ImageStore::Resolve(const std::string& name) {
  ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
  std::string digest_part = name.substr(name.find('@') == std::string::npos ? 0 : name.find('@') + 1);
  if (digest_part.rfind("sha256:", 0) == 0) digest_part = digest_part.substr(7);
  bool hexish = digest_part.size() >= 12 && digest_part.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hexish) {
    auto full = oci::Digest::Parse("sha256:" + digest_part);
    if (full.ok() && blobs_->Has(*full)) {
      ASSIGN_OR_RETURN(int64_t size, blobs_->Size(*full));
      return oci::Descriptor{oci::kMediaTypeManifest, *full, size, {}, {}};
    }
    std::vector<oci::Descriptor> hits;
    for (const auto& d : index.manifests) {
      bool seen = false;
      for (const auto& h : hits) seen |= h.digest == d.digest;
      if (!seen && d.digest.hex().substr(0, digest_part.size()) == digest_part) hits.push_back(d);
    }
    if (hits.size() == 1) return hits[0];
  }
  ASSIGN_OR_RETURN(std::string full, NormalizeImageName(name));
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
  std::sort(out.begin(), out.end(), [](const ImageRecord& a, const ImageRecord& b) { return a.name < b.name; });
  return out;
}

}  // namespace kiln::content
