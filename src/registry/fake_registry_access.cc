// FakeRegistry: the switches tests flip and the accessors that bypass HTTP.
#include "registry/fake_registry.h"
#include "registry/fake_registry_internal.h"

namespace kiln::registry {

void FakeRegistry::FailNext(int n, int status) {
  std::lock_guard lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
}
void FakeRegistry::CutNextUpload(int64_t bytes) {
  std::lock_guard lock(mu_);
  cut_upload_ = bytes;
}
void FakeRegistry::CutNextDownload(int64_t bytes) {
  std::lock_guard lock(mu_);
  cut_download_ = bytes;
}
void FakeRegistry::CorruptBlob(const oci::Digest& digest) {
  std::lock_guard lock(mu_);
  corrupt_.insert(digest);
}
void FakeRegistry::RefuseMounts(bool refuse) {
  std::lock_guard lock(mu_);
  refuse_mounts_ = refuse;
}
void FakeRegistry::FailMounts(int status) {
  std::lock_guard lock(mu_);
  fail_mounts_ = status;
}
int64_t FakeRegistry::BlobBytesServed() const {
  std::lock_guard lock(mu_);
  return blob_bytes_served_;
}
void FakeRegistry::ExpireTokens() {
  std::lock_guard lock(mu_);
  tokens_.clear();
}
std::vector<RecordedRequest> FakeRegistry::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}
void FakeRegistry::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}
int FakeRegistry::OpenUploads() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(uploads_.size());
}

oci::Digest FakeRegistry::AddBlob(const std::string& repo_name, const std::string& bytes) {
  std::lock_guard lock(mu_);
  auto& repo = repos_[repo_name];
  if (!repo) repo = std::make_unique<Repo>(), repo->name = repo_name;
  oci::Digest d = oci::Digest::FromData(bytes);
  blobs_[d] = bytes;
  repo->blobs.insert(d);
  return d;
}

bool FakeRegistry::HasBlob(const std::string& repo, const oci::Digest& digest) const {
  std::lock_guard lock(mu_);
  auto it = repos_.find(repo);
  return it != repos_.end() && it->second->blobs.count(digest) > 0;
}

std::optional<std::string> FakeRegistry::Blob(const oci::Digest& digest) const {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(digest);
  return it == blobs_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<oci::Digest> FakeRegistry::Tag(const std::string& repo,
                                             const std::string& tag) const {
  std::lock_guard lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end() || !it->second->tags.count(tag)) return std::nullopt;
  return it->second->tags.at(tag);
}

std::vector<std::string> FakeRegistry::Tags(const std::string& repo) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> tags;
  auto it = repos_.find(repo);
  if (it != repos_.end()) {
    for (const auto& [tag, digest] : it->second->tags) tags.push_back(tag);
  }
  return tags;
}

}  // namespace kiln::registry
