// A pod container's image: the engine's resolver (catalogue, store, registry with the engine's
// credential store), or, when the request carries registry credentials, a resolver of its own
// over the same parts whose registry clients use those credentials and nothing else.
#include <map>
#include <mutex>

#include "jobs/pod.h"

namespace kiln::jobs {
namespace {

// The request's username and password, for every host (the runner gives one per image).
class RequestCredentials : public registry::CredentialSource {
 public:
  RequestCredentials(std::string username, std::string password)
      : credentials_{std::move(username), std::move(password)} {}
  Result<std::optional<registry::Credentials>> For(const std::string&) override {
    return std::optional<registry::Credentials>(credentials_);
  }

 private:
  registry::Credentials credentials_;
};

// Registry clients made with the request's credentials, kept while the pull lasts.
struct ScopedClients {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<registry::Client>> clients;
};

}  // namespace

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
  RequestCredentials credentials(request.registry_username, request.registry_password);
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
