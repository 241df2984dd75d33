#include "images/pull.h"

#include <mutex>

#include "content/layout_pick.h"
#include "images/parallel.h"
#include "images/pull_blob.h"

namespace kiln::images {
namespace {

std::string TagOrDigest(const oci::Reference& ref) {
  if (ref.digest) return ref.digest->str();
  return ref.tag.empty() ? "latest" : ref.tag;
}

// An image config is JSON read whole into memory: a descriptor declaring more is refused
// before a byte is fetched.
constexpr int64_t kMaxConfigBytes = int64_t{16} << 20;

bool IsIndex(const std::string& media_type) {
  return media_type == oci::kMediaTypeIndex || media_type == oci::kDockerManifestList;
}

// The blobs of the image: config, then each layer the store lacks (fetched in parallel; those
// the cache lacks unpacked on the way), then the layers present unpacked from the store.
Result<oci::Descriptor> PutBlobs(const BlobFetch& fetch, content::BlobStore& blobs,
                                 snapshot::LayerCache& layers,
                                 const registry::FetchedManifest& fetched,
                                 const oci::Digest& top_digest, const PullOptions& options) {
  ASSIGN_OR_RETURN(oci::Manifest manifest, oci::ParseManifest(fetched.bytes));
  const oci::Descriptor& config_blob = manifest.config;
  if (config_blob.size > kMaxConfigBytes) {
    return InvalidArgument("config blob " + config_blob.digest.Short() + " declares " +
                           std::to_string(config_blob.size) + " bytes, more than the 16 MiB " +
                           "an image config may have");
  }
  if (!blobs.Has(config_blob.digest)) {
    RETURN_IF_ERROR(FetchBlob(fetch, config_blob, "config"));
  }
  ASSIGN_OR_RETURN(std::string config_text, blobs.Read(config_blob.digest));
  ASSIGN_OR_RETURN(oci::ImageConfig config, oci::ParseImageConfig(config_text));
  if (config.diff_ids.size() != manifest.layers.size()) {
    return InvalidArgument("manifest " + fetched.descriptor.digest.Short() + " has " +
                           std::to_string(manifest.layers.size()) + " layers but its config " +
                           std::to_string(config.diff_ids.size()) + " diff IDs");
  }
  std::atomic<bool> stop{false};
  BlobFetch layer_fetch = fetch;
  layer_fetch.stop = &stop;
  RETURN_IF_ERROR(RunParallel(
      manifest.layers.size(), options.parallel,
      [&](size_t i) -> Status {
        const oci::Descriptor& blob = manifest.layers[i];
        if (blobs.Has(blob.digest)) {
          if (fetch.progress) {
            fetch.progress({blob.digest, "layer", TransferEvent::State::kSkipped, blob.size,
                            blob.size, "already present"});
          }
          return Status::Ok();
        }
        const oci::Digest& diff_id = config.diff_ids[i];
        if (layers.Has(diff_id)) return FetchBlob(layer_fetch, blob, "layer");
        return FetchBlob(layer_fetch, blob, "layer", &layers, diff_id);
      },
      &stop));
  RETURN_IF_ERROR(layers.Prepare(manifest, config).status());
  ASSIGN_OR_RETURN(oci::Descriptor d, blobs.Put(fetched.bytes, fetched.descriptor.media_type,
                                                fetched.descriptor.digest));
  if (top_digest != d.digest) d.annotations[kAnnotationPulledDigest] = top_digest.str();
  return d;
}

}  // namespace

Result<registry::FetchedManifest> FetchPlatformManifest(registry::Client& client,
                                                        const oci::Reference& ref,
                                                        oci::Digest* top_digest) {
  ASSIGN_OR_RETURN(registry::FetchedManifest top, client.GetManifest(ref.path, TagOrDigest(ref)));
  if (top_digest != nullptr) *top_digest = top.descriptor.digest;
  if (!IsIndex(top.descriptor.media_type)) return top;
  auto read = [&](const oci::Descriptor& d) -> Result<std::string> {
    if (d.digest == top.descriptor.digest) return top.bytes;
    ASSIGN_OR_RETURN(registry::FetchedManifest m, client.GetManifest(ref.path, d.digest.str()));
    return m.bytes;
  };
  ASSIGN_OR_RETURN(oci::Descriptor picked, content::ResolvePlatform(top.descriptor, read));
  ASSIGN_OR_RETURN(registry::FetchedManifest m, client.GetManifest(ref.path, picked.digest.str()));
  if (IsIndex(m.descriptor.media_type)) {
    return InvalidArgument("image index " + top.descriptor.digest.Short() + " names index " +
                           m.descriptor.digest.Short() + " for the host platform");
  }
  return m;
}

Result<oci::Descriptor> PullImage(registry::Client& client, content::ImageStore& store,
                                  snapshot::LayerCache& layers, const oci::Reference& ref,
                                  const std::string& local_name, const PullOptions& options) {
  std::string where = "pull " + ref.ToString();
  oci::Digest top;
  auto fetched = FetchPlatformManifest(client, ref, &top);
  if (!fetched.ok()) return fetched.status().WithContext(where);
  std::mutex progress_mu;
  BlobFetch fetch{&client, ref.path, nullptr, {}, nullptr};
  if (options.progress) {
    fetch.progress = [&](const TransferEvent& e) {
      std::lock_guard<std::mutex> lock(progress_mu);
      options.progress(e);
    };
  }
  auto manifest = store.PutImage(local_name, [&](content::BlobStore& blobs) {
    BlobFetch into = fetch;
    into.blobs = &blobs;
    return PutBlobs(into, blobs, layers, *fetched, top, options);
  });
  if (!manifest.ok()) return manifest.status().WithContext(where);
  if (options.origins != nullptr) {
    auto parsed = oci::ParseManifest(fetched->bytes);
    if (parsed.ok()) {
      (void)options.origins->Note(parsed->config.digest, client.host(), ref.path);
      for (const auto& l : parsed->layers)
        (void)options.origins->Note(l.digest, client.host(), ref.path);
    }
  }
  return manifest;
}

}  // namespace kiln::images
