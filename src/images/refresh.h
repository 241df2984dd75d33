// Keeping a local copy of a registry image current (the resolver's registry step).
//
// For a reference with a registry host (`127.0.0.1:5000/team/toolbox:1.2.0`):
// - missing locally: pulled, and named locally as written; one pull per local name at a time in
//   the process (a second job wanting the same missing image waits for the first's pull, then
//   finds it present);
// - present, by digest: used as it is (a digest never moves);
// - present, by tag: one HEAD request for the tag's digest; unchanged (the local manifest's,
//   or the index it was pulled through) → used as it is, nothing downloaded; moved → pulled
//   again; the registry unreachable or refusing → the local copy is used, with a warning.
#pragma once

#include <functional>
#include <string>

#include "content/image_store.h"
#include "images/blob_origins.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

// How the image side reaches registries (the engine provides it: one client per host).
struct RegistryAccess {
  std::function<Result<registry::Client*>(const std::string& host)> client_for;
  BlobOrigins* origins = nullptr;  // optional
  explicit operator bool() const { return static_cast<bool>(client_for); }
};

// `ref` as written (with a domain). `log` hears of the pull and of the warning.
Status RefreshFromRegistry(content::ImageStore& store, snapshot::LayerCache& layers,
                           const RegistryAccess& access, const oci::Reference& ref,
                           const std::function<void(const std::string&)>& log);

// For tests: how many callers are waiting for another's pull of local name `local`.
int PullsWaitingFor(const std::string& local);

}  // namespace kiln::images
