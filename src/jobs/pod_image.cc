// A pod container's image: the engine's resolver (catalogue, store, registry with the engine's
// credential store), or, when the request carries registry credentials, a resolver of its own
// over the same parts whose registry clients use those credentials (for the registry they are
// for) and nothing else.
#include <map>
#include <mutex>

#include "jobs/pod.h"
#include "oci/reference.h"
#include "registry/auth_file.h"

namespace kiln::jobs {
namespace {

// The request's username and password, for the host they are for (RequestCredentialsFor).
class RequestCredentials : public registry::CredentialSource {
 public:
  explicit RequestCredentials(const ContainerRequest& request) : request_(request) {}
  Result<std::optional<registry::Credentials>> For(const std::string& host) override {
    if (!RequestCredentialsFor(request_, host)) return std::optional<registry::Credentials>();
    return std::optional<registry::Credentials>(
        registry::Credentials{request_.registry_username, request_.registry_password});
  }

 private:
  const ContainerRequest& request_;
};

// Registry clients made with the request's credentials, kept while the pull lasts.
struct ScopedClients {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<registry::Client>> clients;
};

}  // namespace

bool RequestCredentialsFor(const ContainerRequest& request, const std::string& host) {
  std::string want = registry::AuthKeyHost(request.registry_server);
  if (request.registry_server.empty()) {
    auto ref = oci::Reference::Parse(request.image);
    if (!ref.ok()) return false;
    want = registry::AuthKeyHost(ref->domain.empty() ? "docker.io" : ref->domain);
  }
  return !want.empty() && registry::AuthKeyHost(host) == want;
}

Result<images::Image> Pod::PrepareImage(const ContainerRequest& request,
                                        const std::function<void(const std::string&)>& log) {
  auto say = [&log](const std::string& line) {
    if (log) log(line);
  };
  // The engine's resolver first opens the parts and sweeps pending versions, once.
  ASSIGN_OR_RETURN(images::Resolver * shared, engine_->Resolver());
  if (request.registry_username.empty() && request.registry_password.empty()) {
    auto image = shared->Prepare(request.image, say);
    if (!image.ok()) return image.status().WithContext("image " + request.image);
    return image;
  }
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_->Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_->Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, engine_->Layers());
  RequestCredentials credentials(request);
  ScopedClients scoped;
  images::RegistryAccess access = engine_->Registries();
  access.client_for = [&](const std::string& host) -> Result<registry::Client*> {
    std::lock_guard<std::mutex> lock(scoped.mu);
    auto& client = scoped.clients[host];
    if (!client) client = engine_->NewRegistryClient(host, &credentials);
    return client.get();
  };
  auto resolver = images::NewStoreResolver(store, cat, layers, access);
  auto image = resolver->Prepare(request.image, say);
  if (!image.ok()) return image.status().WithContext("image " + request.image);
  return image;
}

}  // namespace kiln::jobs
