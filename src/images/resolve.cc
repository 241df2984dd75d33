#include "images/resolve.h"

#include "images/pending.h"
#include "oci/reference.h"

namespace kiln::images {
namespace {

// A reference as a catalogue name: its repository as written and its tag ("latest" when
// absent). A reference with a digest names no catalogue version.
bool SplitCatalogName(const std::string& ref, std::string* repo, std::string* tag) {
  auto parsed = oci::Reference::Parse(ref);
  if (!parsed.ok() || parsed->digest || parsed->IsDigestOnly()) return false;
  *repo = parsed->Repository();
  *tag = parsed->tag.empty() ? "latest" : parsed->tag;
  return true;
}

class StoreResolver : public Resolver {
 public:
  StoreResolver(content::ImageStore* store, catalog::Catalog* catalog, snapshot::LayerCache* layers,
                RegistryAccess registries)
      : store_(store), catalog_(catalog), layers_(layers), registries_(std::move(registries)) {}

  Result<Image> Prepare(const std::string& ref, const LogFn& log) override {
    RETURN_IF_ERROR(MaybeRefresh(ref, log));
    ASSIGN_OR_RETURN(auto version, ResolveVersion(*catalog_, ref));
    if (version && version->is_pending()) {
      return PendingImage({store_, catalog_, layers_}, *version, log);
    }
    ASSIGN_OR_RETURN(Image image, ResolveImage(*store_, *catalog_, ref));
    ASSIGN_OR_RETURN(image.lower_dirs,
                     layers_->Prepare(image.loaded.manifest, image.loaded.config, log));
    return image;
  }

 private:
  content::ImageStore* store_;
  catalog::Catalog* catalog_;
  snapshot::LayerCache* layers_;
  RegistryAccess registries_;

  // The registry step: for a reference with a host that is not a catalogue version.
  Status MaybeRefresh(const std::string& ref, const LogFn& log) {
    if (!registries_) return Status::Ok();
    auto parsed = oci::Reference::Parse(ref);
    if (!parsed.ok() || parsed->domain.empty()) return Status::Ok();
    std::string repo, tag;
    if (SplitCatalogName(ref, &repo, &tag)) {
      ASSIGN_OR_RETURN(auto versions, catalog_->List(repo));
      if (!versions.empty()) return Status::Ok();
    }
    return RefreshFromRegistry(*store_, *layers_, registries_, *parsed, log);
  }
};

}  // namespace

Result<std::optional<catalog::VersionRecord>> ResolveVersion(catalog::Catalog& catalog,
                                                             const std::string& ref) {
  std::string repo, tag;
  using Found = std::optional<catalog::VersionRecord>;
  if (!SplitCatalogName(ref, &repo, &tag)) return Found();
  ASSIGN_OR_RETURN(auto versions, catalog.List(repo));
  if (versions.empty()) return Found();
  ASSIGN_OR_RETURN(catalog::VersionRecord v, catalog.Resolve(repo, tag));
  return Found(std::move(v));
}

Result<Image> ResolveImage(content::ImageStore& store, catalog::Catalog& catalog,
                           const std::string& ref) {
  ASSIGN_OR_RETURN(auto version, ResolveVersion(catalog, ref));
  if (version) {
    const catalog::VersionRecord& v = *version;
    std::string display = v.image + ":" + v.version.ToString();
    if (v.is_pending()) {
      return FailedPrecondition("image " + display + " is pending: its blobs are being written");
    }
    auto loaded = store.Load(v.manifest.str());
    if (!loaded.ok()) return loaded.status().WithContext("image " + display);
    return Image{display, *loaded, v, {}};
  }
  ASSIGN_OR_RETURN(content::LoadedImage loaded, store.Load(ref));
  std::string display = loaded.name.empty() ? ref : loaded.name;
  return Image{display, std::move(loaded), std::nullopt, {}};
}

std::unique_ptr<Resolver> NewStoreResolver(content::ImageStore* store, catalog::Catalog* catalog,
                                           snapshot::LayerCache* layers,
                                           RegistryAccess registries) {
  return std::make_unique<StoreResolver>(store, catalog, layers, std::move(registries));
}

}  // namespace kiln::images
