#include "images/refresh.h"

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
      log("pulled layer " + e.digest.Short() + " (" + FormatBytes(static_cast<uint64_t>(e.total)) + ")");
    }
  };
  if (log) log("pulling " + remote.ToString());
  ASSIGN_OR_RETURN(oci::Descriptor d,
                   PullImage(client, store, layers, remote, local, options));
  if (log) log("pulled " + local + " (" + d.digest.str() + ")");
  return Status::Ok();
}

}  // namespace

Status RefreshFromRegistry(content::ImageStore& store, snapshot::LayerCache& layers,
                           const RegistryAccess& access, const oci::Reference& ref,
                           const std::function<void(const std::string&)>& log) {
  ASSIGN_OR_RETURN(std::string local, content::NormalizeImageName(ref.ToString()));
  ASSIGN_OR_RETURN(oci::Reference remote, ref.WithRegistryDefaults());
  auto present = store.Resolve(local);
  if (present.ok() && remote.digest) return Status::Ok();
  ASSIGN_OR_RETURN(registry::Client * client, access.client_for(remote.domain));
  if (!present.ok()) return Pull(*client, store, layers, access, remote, local, log);
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
