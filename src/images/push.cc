#include "images/push.h"

#include <mutex>

#include "base/log.h"
#include "images/parallel.h"

namespace kiln::images {
namespace {

using State = TransferEvent::State;

struct PushContext {
  registry::Client* client;
  content::ImageStore* store;
  std::string repo;
  const PushOptions* options;
  TransferFn progress;  // serialised
};

void Report(const PushContext& c, const oci::Descriptor& blob, const std::string& kind, State state,
            int64_t done, std::string note = "") {
  if (c.progress) c.progress({blob.digest, kind, state, done, blob.size, std::move(note)});
}

// Mounts `blob` from another repository of the registry known to hold it; true when one did.
// A mount answered with an error is skipped (the origins are a hint); only a registry still
// unavailable after the retries fails.
Result<bool> TryMount(const PushContext& c, const oci::Descriptor& blob, const std::string& kind) {
  if (c.options->origins == nullptr) return false;
  for (const auto& from : c.options->origins->ReposOn(blob.digest, c.client->host())) {
    if (from == c.repo) continue;
    Result<bool> mounted = c.client->MountBlob(c.repo, blob.digest, from);
    if (!mounted.ok()) {
      Code code = mounted.status().code();
      if (code == Code::kUnavailable || code == Code::kDeadlineExceeded) return mounted.status();
      LogWarn("could not mount " + kind + " " + blob.digest.Short() + " from " + from + " (" +
              mounted.status().message() + "); uploading it");
      continue;
    }
    if (*mounted) {
      Report(c, blob, kind, State::kMounted, blob.size, "mounted from " + from);
      return true;
    }
  }
  return false;
}

Status PushOne(const PushContext& c, const oci::Descriptor& blob, const std::string& kind) {
  ASSIGN_OR_RETURN(bool present, c.client->HasBlob(c.repo, blob.digest));
  if (present) {
    Report(c, blob, kind, State::kSkipped, blob.size, "already in the registry");
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(bool mounted, TryMount(c, blob, kind));
  if (mounted) return Status::Ok();
  registry::BlobUpload upload;
  upload.descriptor = blob;
  upload.open = [&c, &blob] { return c.store->blobs().Open(blob.digest); };
  upload.chunk_size = blob.size > c.options->chunked_above ? c.options->chunk_size : 0;
  upload.progress = [&](int64_t sent) { Report(c, blob, kind, State::kRunning, sent); };
  Status pushed = c.client->PushBlob(c.repo, upload);
  Report(c, blob, kind, pushed.ok() ? State::kDone : State::kFailed, pushed.ok() ? blob.size : 0);
  return pushed.WithContext("push " + kind + " " + blob.digest.str());
}

Result<std::string> ManifestReference(const content::LoadedImage& image,
                                      const oci::Reference& dest) {
  if (dest.digest && *dest.digest != image.descriptor.digest) {
    return InvalidArgument("cannot push image " + image.descriptor.digest.Short() + " as " +
                           dest.ToString() + ": the reference names another digest");
  }
  if (!dest.tag.empty()) return dest.tag;
  if (dest.digest) return dest.digest->str();
  return std::string("latest");
}

}  // namespace

Result<oci::Descriptor> PushImage(registry::Client& client, content::ImageStore& store,
                                  const content::LoadedImage& image, const oci::Reference& dest,
                                  const PushOptions& options) {
  std::string where = "push " + dest.ToString();
  ASSIGN_OR_RETURN(std::string reference, ManifestReference(image, dest));
  std::mutex progress_mu;
  PushContext c{&client, &store, dest.path, &options, {}};
  if (options.progress) {
    c.progress = [&](const TransferEvent& e) {
      std::lock_guard<std::mutex> lock(progress_mu);
      options.progress(e);
    };
  }
  std::vector<oci::Descriptor> blobs = {image.manifest.config};
  blobs.insert(blobs.end(), image.manifest.layers.begin(), image.manifest.layers.end());
  Status status = RunParallel(blobs.size(), options.parallel, [&](size_t i) {
    return PushOne(c, blobs[i], i == 0 ? "config" : "layer");
  });
  if (!status.ok()) return status.WithContext(where);
  auto bytes = store.blobs().Read(image.descriptor.digest);
  if (!bytes.ok()) return bytes.status().WithContext(where);
  oci::Descriptor manifest = image.descriptor;
  manifest.annotations.clear();
  if (manifest.media_type.empty()) manifest.media_type = image.manifest.media_type;
  if (manifest.media_type.empty()) manifest.media_type = oci::kMediaTypeManifest;
  status = client.PutManifest(dest.path, reference, manifest.media_type, *bytes);
  if (!status.ok()) return status.WithContext(where);
  if (options.origins != nullptr) {
    for (const auto& b : blobs) (void)options.origins->Note(b.digest, client.host(), dest.path);
  }
  return manifest;
}

}  // namespace kiln::images
