// Named images in kiln's OCI image layout: `<root>/oci-layout`, `<root>/index.json`, blobs.
//
// A name is "repo:tag" (a bare "repo" means "repo:latest"); it is stored in index.json as the
// `org.opencontainers.image.ref.name` annotation of a manifest descriptor, so the state dir is
// itself a valid OCI layout that skopeo and umoci can read. index.json is updated under an
// exclusive lock (flock on index.json.lock) and replaced atomically, so concurrent kiln processes
// never lose each other's names.
//
// Ordering contract for writers: put every layer and the config, then the manifest, then Tag().
// A name never points at a manifest whose blobs are missing: Tag() checks them, and blobs are
// deleted (garbage collection, a failed import's clean-up) only under the same lock.
//
// Every open ImageStore holds a shared flock on `<root>/users.lock` for its lifetime: a
// process that may rely on blobs no name references yet (an import, a snapshot) is visible to
// others, and a failed import deletes what it added only when nobody else has the store open.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "content/blob_store.h"
#include "content/ingest.h"
#include "oci/types.h"

namespace kiln::content {

struct ImageRecord {
  std::string name;          // "repo:tag"
  oci::Descriptor manifest;  // descriptor in index.json
};

// A manifest with its config, loaded and parsed.
struct LoadedImage {
  std::string name;
  oci::Descriptor descriptor;
  oci::Manifest manifest;
  oci::ImageConfig config;
};

// The name an image is stored under: an oci::Reference as written, with tag "latest" when it
// has neither tag nor digest ("repo" → "repo:latest", "127.0.0.1:5000/team/tool" →
// "127.0.0.1:5000/team/tool:latest"; "repo:tag" and "repo@sha256:…" unchanged; no docker.io
// defaults). InvalidArgument (from oci::Reference::Parse) for what the grammar refuses, and for
// a bare digest.
Result<std::string> NormalizeImageName(std::string_view name);

class ImageStore {
 public:
  static Result<std::unique_ptr<ImageStore>> Open(const std::string& root);
  DiskBlobStore& blobs() { return *blobs_; }
  const std::string& root() const { return root_; }

  // Points `name` at the manifest (replacing an earlier target). The manifest and everything it
  // references must already be in the blob store (FailedPrecondition otherwise).
  Status Tag(const std::string& name, const oci::Descriptor& manifest);
  Status Untag(const std::string& name);
  // Resolves a name (see NormalizeImageName), or "repo@sha256:…" / a bare "sha256:…" whose
  // manifest is in the store, or a unique prefix (12+ hex digits) of a named manifest's digest.
  Result<oci::Descriptor> Resolve(const std::string& name);
  Result<LoadedImage> Load(const std::string& name);
  Result<std::vector<ImageRecord>> List();
  // Starts an operation that writes blobs and may rely on blobs no name references (a snapshot
  // capture): it writes through the returned Ingest, in flight until destroyed (before this
  // store). A failed PutImage that overlapped it in time removes nothing.
  std::unique_ptr<Ingest> BeginIngest();
  // Puts an image all or nothing: runs `put` (which writes the image's blobs through `blobs`,
  // an Ingest, and returns its manifest), then Tag()s it `name`. When either fails, the blobs
  // that `put` created (not those it found present, nor what other threads wrote) and that no
  // name references are removed again, so the store is left as it was; when another process
  // has the store open, or another ingest of this process (a capture, another pull) overlapped
  // this one in time (either may be relying on one of them), they are left for `kiln image
  // prune` instead. Returns the manifest.
  Result<oci::Descriptor> PutImage(const std::string& name,
                                   const std::function<Result<oci::Descriptor>(BlobStore&)>& put);
  // Deletes blobs that neither a name nor one of `extra_roots` (manifest digests, e.g. the
  // catalogue's versions) reaches, skipping blobs younger than `min_age_seconds` (an ingest in
  // progress has not been named yet). Returns bytes freed.
  Result<int64_t> CollectGarbage(const std::vector<oci::Digest>& extra_roots = {},
                                 int64_t min_age_seconds = 600);

 private:
  // Runs `edit` on index.json under the lock and writes the result atomically.
  Status EditIndex(const std::function<Status(oci::Index&)>& edit);
  // The exclusive lock on index.json (held while the fd lives).
  Result<UniqueFd> LockIndex();
  // Deletes the blobs `ingest` created that no name reaches, if no other process has the store
  // open and no other ingest overlapped it. Returns how many it deleted.
  Result<int> RemoveUnnamed(Ingest& ingest);
  Result<oci::Index> ReadIndex();

  ImageStore(std::string root, std::unique_ptr<DiskBlobStore> blobs, UniqueFd users)
      : root_(std::move(root)), blobs_(std::move(blobs)), users_(std::move(users)) {}
  std::string root_;
  std::unique_ptr<DiskBlobStore> blobs_;
  UniqueFd users_;  // shared flock on users.lock
  std::mutex ingest_mu_;
  std::set<Ingest*> live_;        // ingests in flight
  std::set<Ingest*> overlapped_;  // live ingests that ran at the same time as another
};

// Copies an image between an OCI image layout directory or an oci-archive tarball (as skopeo
// `oci:` / `oci-archive:` and podman write them) and the store. Every blob is verified against
// its digest on the way in (DataLoss on mismatch; nothing is tagged). `ref` selects the manifest
// by its ref.name annotation in the source index; empty takes the only one (or the one for the
// host platform when the source entry is an index).
// The blobs go into `blobs` (the store's, or a PutImage's ingest).
Result<oci::Descriptor> ImportLayout(BlobStore& blobs, const std::string& layout_dir,
                                     const std::string& ref);
Result<oci::Descriptor> ImportArchive(BlobStore& blobs, const std::string& archive_path,
                                      const std::string& ref);
// Writes image `name` as an OCI layout directory (created or added to) / an oci-archive tar,
// with ref.name `ref` (empty: the tag part of `name`).
Status ExportLayout(ImageStore& store, const std::string& name, const std::string& layout_dir,
                    const std::string& ref);
Status ExportArchive(ImageStore& store, const std::string& name, const std::string& archive_path,
                     const std::string& ref);

}  // namespace kiln::content
