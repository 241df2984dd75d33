// The engine's registry side: one transport, one credential store, a client per host.
#include <algorithm>

#include "base/fs.h"
#include "base/log.h"
#include "jobs/engine.h"

namespace kiln::jobs {

registry::CredentialStore& Engine::Credentials() {
  std::lock_guard<std::mutex> lock(registry_mu_);
  if (!credentials_) {
    credentials_ = std::make_unique<registry::CredentialStore>(JoinPath(state_dir(), "auth.json"),
                                                               registry::DefaultAuthFiles());
  }
  return *credentials_;
}

registry::ClientOptions Engine::ClientOptionsLocked(const std::string& host,
                                                    registry::CredentialSource* credentials) {
  if (!transport_) {
    transport_ = options_.transport ? std::move(options_.transport) : registry::NewCurlTransport();
  }
  registry::ClientOptions o;
  o.transport = transport_.get();
  o.credentials = credentials;
  const auto& insecure = options_.insecure_registries;
  o.host.insecure =
      !options_.tls_verify || std::find(insecure.begin(), insecure.end(), host) != insecure.end();
  // A cert dir is one registry's: its client certificate goes to no other host.
  if (host == options_.cert_dir_host) o.host.cert_dir = options_.cert_dir;
  o.retry = options_.retry;
  // Retries are warnings; the rest (the plain-HTTP fallback of a loopback registry) is detail:
  // kiln pull and push print only their result unless asked (-v). The client's default.
  return o;
}

std::unique_ptr<registry::Client> Engine::NewRegistryClient(
    const std::string& host, registry::CredentialSource* credentials) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return std::make_unique<registry::Client>(host, ClientOptionsLocked(host, credentials));
}

Result<registry::Client*> Engine::Registry(const std::string& host) {
  registry::CredentialStore* credentials = &Credentials();
  std::lock_guard<std::mutex> lock(registry_mu_);
  if (auto it = clients_.find(host); it != clients_.end()) return it->second.get();
  auto client = std::make_unique<registry::Client>(host, ClientOptionsLocked(host, credentials));
  registry::Client* out = client.get();
  clients_[host] = std::move(client);
  return out;
}

Result<images::BlobOrigins*> Engine::Origins() {
  std::lock_guard<std::mutex> lock(registry_mu_);
  if (!origins_) {
    ASSIGN_OR_RETURN(images::BlobOrigins origins,
                     images::BlobOrigins::Open(JoinPath(state_dir(), "blob-origins")));
    origins_ = std::make_unique<images::BlobOrigins>(std::move(origins));
  }
  return origins_.get();
}

images::RegistryAccess Engine::Registries() {
  images::RegistryAccess access;
  access.client_for = [this](const std::string& host) { return Registry(host); };
  auto origins = Origins();
  access.origins = origins.ok() ? *origins : nullptr;
  return access;
}

}  // namespace kiln::jobs
