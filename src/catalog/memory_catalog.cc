// Catalog in memory, for tests: the same rules (catalog/rules.h) over maps, one mutex held
// for each call. Nothing outlives the object.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "catalog/rules.h"

namespace kiln::catalog {
namespace {

class MemoryCatalog : public Catalog {
 public:
  Result<VersionRecord> AddVersion(const std::string& image, const VersionSpec& spec,
                                   const NewVersion& nv) override {
    std::lock_guard<std::mutex> lock(mu_);
    Image& img = images_[image];
    Version v = NextVersion({img.allocated.begin(), img.allocated.end()}, spec);
    img.allocated.insert(v);
    oci::Digest manifest = nv.pending.empty() ? nv.manifest : oci::Digest();
    img.versions[v] = VersionRecord{image,          v,         manifest, nv.size,   nv.created,
                                    nv.runner_size, nv.source, false,    nv.pending};
    img.latest = v;
    return Record(image, v);
  }

  Result<VersionRecord> Resolve(const std::string& image, const std::string& version) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<VersionRecord> all = ListLocked(image);
    if (version.empty() || version == "latest") {
      for (const auto& r : all) {
        if (r.latest) return r;
      }
      return NoSuchVersion(image, version, all);
    }
    ASSIGN_OR_RETURN(Version want, ParseVersion(version));
    for (const auto& r : all) {
      if (r.version == want) return r;
    }
    return NoSuchVersion(image, version, all);
  }

  Result<std::vector<VersionRecord>> List(const std::string& image) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ListLocked(image);
  }

  Result<std::vector<VersionRecord>> DeleteVersions(const std::string& image,
                                                    const std::vector<Version>& versions,
                                                    bool force) override {
    std::lock_guard<std::mutex> lock(mu_);
    return DeleteLocked(image, &versions, force);
  }

  Result<std::vector<VersionRecord>> DeleteImage(const std::string& image, bool force) override {
    std::lock_guard<std::mutex> lock(mu_);
    return DeleteLocked(image, nullptr, force);
  }

  Status SetLatest(const std::string& image, const Version& v) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(SelectVersions(image, {v}, ListLocked(image)).status());
    images_[image].latest = v;
    return Status::Ok();
  }

  Status CompleteVersion(const std::string& image, const Version& v, const oci::Digest& manifest,
                         int64_t size) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto found, SelectVersions(image, {v}, ListLocked(image)));
    RETURN_IF_ERROR(CheckCompletable(found.front(), manifest));
    VersionRecord& r = images_[image].versions.at(v);
    r.manifest = manifest;
    r.size = size;
    r.pending.clear();
    return Status::Ok();
  }

  Status PutRunner(const RunnerRecord& r) override {
    ASSIGN_OR_RETURN(std::string version, NormalizeRunnerVersion(r.version));
    std::lock_guard<std::mutex> lock(mu_);
    runners_[r.name] = RunnerRecord{r.name, r.image, version, r.size, r.network};
    return Status::Ok();
  }
  Result<RunnerRecord> GetRunner(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runners_.find(name);
    if (it == runners_.end()) return NotFound("no runner named " + name);
    return it->second;
  }
  Result<std::vector<RunnerRecord>> ListRunners() override {
    std::lock_guard<std::mutex> lock(mu_);
    return RunnersLocked();
  }
  Status DeleteRunner(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    return runners_.erase(name) == 0 ? NotFound("no runner named " + name) : Status::Ok();
  }

  Status SetRetention(const std::string& image, const Retention& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    retention_[image] = r;
    return Status::Ok();
  }
  Result<Retention> GetRetention(const std::string& image) override {
    std::lock_guard<std::mutex> lock(mu_);
    return RetentionLocked(image);
  }
  Result<std::vector<VersionRecord>> Prune(const std::string& image, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<VersionRecord> all = ListLocked(image);
    std::vector<VersionRecord> doomed =
        PruneSelection(all, RetentionLocked(image), RunnersLocked(), now);
    RemoveLocked(image, doomed, all);
    return doomed;
  }

 private:
  struct Image {
    std::map<Version, VersionRecord> versions;
    std::set<Version> allocated;  // every number handed out, deleted or not
    std::optional<Version> latest;
  };

  VersionRecord Record(const std::string& image, const Version& v) const {
    const Image& img = images_.at(image);
    VersionRecord r = img.versions.at(v);
    r.latest = img.latest == v;
    return r;
  }

  std::vector<VersionRecord> ListLocked(const std::string& image) const {
    std::vector<VersionRecord> out;
    for (const auto& [name, img] : images_) {
      if (!image.empty() && name != image) continue;
      for (auto it = img.versions.rbegin(); it != img.versions.rend(); ++it) {
        out.push_back(Record(name, it->first));
      }
    }
    return out;
  }

  std::vector<RunnerRecord> RunnersLocked() const {
    std::vector<RunnerRecord> out;
    for (const auto& [name, r] : runners_) out.push_back(r);
    return out;
  }

  Retention RetentionLocked(const std::string& image) const {
    for (const std::string& key : {image, std::string("*")}) {
      auto it = retention_.find(key);
      if (it != retention_.end()) return it->second;
    }
    return Retention{};
  }

  Result<std::vector<VersionRecord>> DeleteLocked(const std::string& image,
                                                  const std::vector<Version>* versions,
                                                  bool force) {
    std::vector<VersionRecord> all = ListLocked(image);
    std::vector<VersionRecord> doomed = all;
    if (versions != nullptr) {
      ASSIGN_OR_RETURN(doomed, SelectVersions(image, *versions, all));
    } else if (all.empty()) {
      return NoSuchVersion(image, "", all);
    }
    if (!force)
      RETURN_IF_ERROR(CheckPins(image, doomed, doomed.size() == all.size(), RunnersLocked()));
    RemoveLocked(image, doomed, all);
    return doomed;
  }

  void RemoveLocked(const std::string& image, const std::vector<VersionRecord>& doomed,
                    const std::vector<VersionRecord>& all) {
    if (doomed.empty()) return;
    Image& img = images_[image];
    for (const auto& r : doomed) img.versions.erase(r.version);
    if (img.latest && img.versions.count(*img.latest) == 0) {
      img.latest.reset();
      if (!img.versions.empty()) img.latest = img.versions.rbegin()->first;  // the highest left
    }
  }

  std::mutex mu_;
  std::map<std::string, Image> images_;
  std::map<std::string, RunnerRecord> runners_;
  std::map<std::string, Retention> retention_;
};

}  // namespace

std::unique_ptr<Catalog> NewMemoryCatalog() { return std::make_unique<MemoryCatalog>(); }

}  // namespace kiln::catalog
