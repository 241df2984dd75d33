// ImageStore::CollectGarbage (mark from names and extra roots, sweep the rest) and PutImage's
// clean-up of what a failed import added.
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <set>

#include "base/clock.h"
#include "base/json.h"
#include "content/image_store.h"

namespace kiln::content {
namespace {

// Adds `digest` and everything it references (manifest → config + layers; index → manifests).
void Mark(BlobStore& blobs, const oci::Digest& digest, std::set<oci::Digest>& live) {
  if (!live.insert(digest).second) return;
  auto text = blobs.Read(digest);
  if (!text.ok()) return;
  auto json = ParseJson(*text);
  if (!json.ok() || !json->is_object()) return;
  if (json->contains("manifests")) {
    auto index = oci::ParseIndex(*text);
    if (index.ok()) {
      for (const auto& m : index->manifests) Mark(blobs, m.digest, live);
    }
    return;
  }
  auto manifest = oci::ParseManifest(*text);
  if (!manifest.ok()) return;
  live.insert(manifest->config.digest);
  for (const auto& l : manifest->layers) live.insert(l.digest);
}

}  // namespace

Result<int64_t> ImageStore::CollectGarbage(const std::vector<oci::Digest>& extra_roots,
                                           int64_t min_age_seconds) {
  ASSIGN_OR_RETURN(UniqueFd lock, LockIndex());
  std::set<oci::Digest> live;
  ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
  for (const auto& d : index.manifests) Mark(*blobs_, d.digest, live);
  for (const auto& d : extra_roots) Mark(*blobs_, d, live);
  ASSIGN_OR_RETURN(auto all, blobs_->List());
  int64_t now = Clock::Real()->NowUnix(), freed = 0;
  for (const auto& d : all) {
    if (live.count(d) != 0) continue;
    struct stat st;
    if (::stat(blobs_->PathOf(d).c_str(), &st) != 0) continue;
    if (now - st.st_mtime < min_age_seconds) continue;
    if (blobs_->Delete(d).ok()) freed += st.st_size;
  }
  return freed;
}

std::unique_ptr<Ingest> ImageStore::BeginIngest() {
  auto ingest = std::make_unique<Ingest>(*blobs_, [this](Ingest* done) {
    std::lock_guard<std::mutex> lock(ingest_mu_);
    live_.erase(done);
    overlapped_.erase(done);
  });
  std::lock_guard<std::mutex> lock(ingest_mu_);
  if (!live_.empty()) {
    overlapped_.insert(live_.begin(), live_.end());
    overlapped_.insert(ingest.get());
  }
  live_.insert(ingest.get());
  return ingest;
}

Result<int> ImageStore::RemoveUnnamed(Ingest& ingest) {
  std::vector<oci::Digest> created = ingest.Created();
  if (created.empty()) return 0;
  // Held while deleting: an ingest that begins now sees the blobs gone.
  std::lock_guard<std::mutex> in_process(ingest_mu_);
  if (overlapped_.count(&ingest) != 0) return 0;
  // Alone with the store? (A failed conversion may drop the shared lock: take it back after.)
  bool alone = ::flock(users_.get(), LOCK_EX | LOCK_NB) == 0;
  auto share_again = [&] {
    while (::flock(users_.get(), LOCK_SH) != 0 && errno == EINTR) {
    }
  };
  if (!alone) {
    share_again();
    return 0;
  }
  Result<int> removed = [&]() -> Result<int> {
    ASSIGN_OR_RETURN(UniqueFd lock, LockIndex());
    ASSIGN_OR_RETURN(oci::Index index, ReadIndex());
    std::set<oci::Digest> live;
    for (const auto& d : index.manifests) Mark(*blobs_, d.digest, live);
    int n = 0;
    for (const auto& d : created) n += live.count(d) == 0 && blobs_->Delete(d).ok() ? 1 : 0;
    return n;
  }();
  share_again();
  return removed;
}

Result<oci::Descriptor> ImageStore::PutImage(
    const std::string& name, const std::function<Result<oci::Descriptor>(BlobStore&)>& put) {
  std::unique_ptr<Ingest> ingest = BeginIngest();
  Result<oci::Descriptor> manifest = put(*ingest);
  Status tagged = manifest.ok() ? Tag(name, *manifest) : manifest.status();
  if (tagged.ok()) return manifest;
  // If this fails, the blobs stay unnamed: garbage that `kiln image prune` collects.
  (void)RemoveUnnamed(*ingest);
  return tagged;
}

}  // namespace kiln::content
