#include "images/refresh.h"

#include <map>
#include <memory>
#include <mutex>

#include "base/clock.h"
#include "images/pull.h"

namespace kiln::images {
namespace {

// True when the registry's current digest for the tag is what the local name was pulled as.
bool SameAsLocal(const oci::Descriptor& local, const oci::Digest& remote) {
  if (local.digest == remote) return true;
  auto it = local.annotations.find(kAnnotationPulledDigest);
  return it != local.annotations.end() && it->second == remote.str();
}

Status Pull(registry::Client& client, content::ImageStore& store, snapshot::LayerCache& layers,
            const RegistryAccess& access, const oci::Reference& remote, const std::string& local,
            const std::function<void(const std::string&)>& log) {
  PullOptions options;
  options.origins = access.origins;
  options.progress = [&](const TransferEvent& e) {
    if (e.state == TransferEvent::State::kDone && e.kind == "layer" && log) {
      log("pulled layer " + e.digest.Short() + " (" + FormatBytes(static_cast<uint64_t>(e.total)) +
          ")");
    }
  };
  if (log) log("pulling " + remote.ToString());
  ASSIGN_OR_RETURN(oci::Descriptor d, PullImage(client, store, layers, remote, local, options));
  if (log) log("pulled " + local + " (" + d.digest.str() + ")");
  return Status::Ok();
}

// The process-wide lock of one local name while it is pulled (entries live while used).
struct NameLock {
  std::mutex mu;
  int users = 0;
};
std::mutex names_mu;
std::map<std::string, std::unique_ptr<NameLock>>& Names() {
  static auto* names = new std::map<std::string, std::unique_ptr<NameLock>>();
  return *names;
}

class HoldName {
 public:
  explicit HoldName(std::string name) : name_(std::move(name)) {
    {
      std::lock_guard<std::mutex> lock(names_mu);
      auto& entry = Names()[name_];
      if (!entry) entry = std::make_unique<NameLock>();
      entry_ = entry.get();
      ++entry_->users;
    }
    entry_->mu.lock();
  }
  ~HoldName() {
    entry_->mu.unlock();
    std::lock_guard<std::mutex> lock(names_mu);
    if (--entry_->users == 0) Names().erase(name_);
  }
  HoldName(const HoldName&) = delete;
  HoldName& operator=(const HoldName&) = delete;

 private:
  std::string name_;
  NameLock* entry_ = nullptr;
};

}  // namespace

int PullsWaitingFor(const std::string& local) {
  std::lock_guard<std::mutex> lock(names_mu);
  auto it = Names().find(local);
  return it == Names().end() ? 0 : it->second->users - 1;
}

Status RefreshFromRegistry(content::ImageStore& store, snapshot::LayerCache& layers,
                           const RegistryAccess& access, const oci::Reference& ref,
                           const std::function<void(const std::string&)>& log) {
  ASSIGN_OR_RETURN(std::string local, content::NormalizeImageName(ref.ToString()));
  ASSIGN_OR_RETURN(oci::Reference remote, ref.WithRegistryDefaults());
  auto present = store.Resolve(local);
  if (present.ok() && remote.digest) return Status::Ok();
  ASSIGN_OR_RETURN(registry::Client * client, access.client_for(remote.domain));
  if (!present.ok()) {
    HoldName hold(local);
    if (store.Resolve(local).ok()) return Status::Ok();  // another job pulled it meanwhile
    return Pull(*client, store, layers, access, remote, local, log);
  }
  auto head = client->HeadManifest(remote.path, remote.tag);
  if (!head.ok()) {
    if (log) {
      log("warning: could not check " + remote.ToString() + " for a newer image (" +
          head.status().message() + "); using the local copy " + present->digest.Short());
    }
    return Status::Ok();
  }
  if (SameAsLocal(*present, head->digest)) return Status::Ok();
  if (log) log(remote.ToString() + " moved to " + head->digest.Short() + ": pulling it again");
  return Pull(*client, store, layers, access, remote, local, log);
}

}  // namespace kiln::images
