// Resolving the image a job or command names. In order: a custom image's version in the
// catalogue ("ci-tools", "ci-tools:latest", "ci-tools:1.2.0"), then a name in the local OCI
// layout ("debian:bookworm"), or a manifest digest; then, for a reference with a registry host
// ("127.0.0.1:5000/team/toolbox:1.2.0"), the registry (refresh.h: pulled when missing,
// re-checked by one HEAD when named by tag). Names match as written: no registry defaults are
// applied here ("toolbox" stays "toolbox", and never goes to a registry).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "images/image.h"
#include "images/refresh.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

using LogFn = std::function<void(const std::string&)>;

// Catalogue first, then the store. NotFound names what was looked for. A pending version
// (images/pending.h) is FailedPrecondition: make it whole first (MakeWhole).
Result<Image> ResolveImage(content::ImageStore& store, catalog::Catalog& catalog,
                           const std::string& ref);

// The catalogue version `ref` names, if it names one ("ci-tools", "ci-tools:1.2.0"); nullopt
// when the name has no catalogue versions (it may name an image in the store).
Result<std::optional<catalog::VersionRecord>> ResolveVersion(catalog::Catalog& catalog,
                                                             const std::string& ref);

// What the job engine asks of the image side: a name resolved, and its layers made ready in the
// layer cache. Thread-safe. The real one is over the store, catalogue and layer cache (and runs
// a pending version as images/pending.h says, without waiting for its blobs); tests of
// the layers above may give their own (an image of no layers that runs on the host runtime).
class Resolver {
 public:
  virtual ~Resolver() = default;
  // The image `ref` names with lower_dirs set; `log` hears of each layer unpacked.
  virtual Result<Image> Prepare(const std::string& ref, const LogFn& log) = 0;
};

// The parts are owned by the caller and outlive the resolver. Without `registries`, nothing is
// pulled.
std::unique_ptr<Resolver> NewStoreResolver(content::ImageStore* store, catalog::Catalog* catalog,
                                           snapshot::LayerCache* layers,
                                           RegistryAccess registries = {});

}  // namespace kiln::images
