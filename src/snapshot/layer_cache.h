// The layer cache: each layer unpacked once into `<root>/<hex of diff ID>/`, read-only in use,
// shared by every sandbox whose image has that layer, and mounted as an overlay lower dir.
//
// A snapshot's upper dir may enter the cache before its diff ID is known (images/pending.h):
// it is kept as `<root>/snap-<random>/` (a *keyed* dir), and once the layer is packed,
// `<root>/<hex of diff ID>` becomes a symlink to it. The keyed dir never moves, so a job that
// runs on it meanwhile is not disturbed.
//
// Unpacking goes to `<root>/.tmp-<hex>-<seq>-<pid>` and is renamed into place when complete, so a
// killed kiln never leaves a half layer under a final name; two processes preparing the same
// layer both succeed. The diff ID computed while unpacking must equal the one in the image
// config (DataLoss otherwise, and the directory is discarded); a layer over the unpack cap is
// discarded likewise.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "content/blob_store.h"
#include "oci/types.h"
#include "snapshot/layer_apply.h"

namespace kiln::snapshot {

class LayerCache {
 public:
  // `root` is created with mode 0700. Each layer unpacked may write at most
  // `max_layer_unpacked` bytes of data (config `max_layer_unpacked`; holes are free).
  static Result<LayerCache> Open(const std::string& root, content::BlobStore* blobs,
                                 int64_t max_layer_unpacked = kDefaultMaxLayerUnpacked);

  // Ensures every layer of the image is unpacked. Returns the layer directories bottom first.
  // `on_progress` (optional) is told of each layer unpacked ("unpacked sha256:… 12 MB 0.4s").
  Result<std::vector<std::string>> Prepare(
      const oci::Manifest& manifest, const oci::ImageConfig& config,
      const std::function<void(const std::string&)>& on_progress = {});
  // Unpacks one layer read from `fd` (read() until EOF: a pipe the caller feeds while it
  // downloads the blob) with `compression` into the cache as `diff_id`, under the same rules as
  // Prepare: a temp dir renamed into place when complete, DataLoss when the stream's diff ID is
  // not `diff_id` (nothing cached), the unpack cap. The stream is read to its end even when the
  // tar ends earlier (so the feeder never blocks), and then `verify` (optional: the feeder's
  // check of the compressed bytes, e.g. the blob's digest at commit) must be OK before the
  // layer is renamed into place; its error is returned and nothing is cached. `name` is the
  // layer for messages ("layer sha256:…"). When the unpack fails, `*failed` (optional) is set
  // before the rest of the stream is drained: the feeder checks it to stop fetching bytes
  // nobody will use (the drain only unblocks a write under way). Returns the dir.
  Result<std::string> UnpackStream(int fd, oci::Compression compression, const oci::Digest& diff_id,
                                   const std::string& name,
                                   const std::function<Status()>& verify = {},
                                   std::atomic<bool>* failed = nullptr);
  std::string PathFor(const oci::Digest& diff_id) const;
  bool Has(const oci::Digest& diff_id) const;
  // Moves `dir` (on the same filesystem) into the cache as the layer `diff_id`, instead of
  // unpacking it again (used after a snapshot: the upper dir already is the layer). When the
  // layer is already present, `dir` is removed instead.
  Status Adopt(const oci::Digest& diff_id, const std::string& dir);
  // Keyed dirs (see above). NewKey gives a fresh "snap-<16 hex>"; DirFor(key) its path.
  static std::string NewKey();
  std::string DirFor(const std::string& key) const;
  // Makes `diff_id` name the keyed dir `key` (a relative symlink, made atomically). When the
  // layer is already present under its diff ID, nothing changes.
  Status Link(const oci::Digest& diff_id, const std::string& key);
  // Removes cached layers whose diff ID is not in `keep` and whose name is not in `keep_names`
  // (keyed dirs), and stale temp dirs. The target of a kept symlink is kept.
  Status Prune(const std::vector<oci::Digest>& keep,
               const std::vector<std::string>& keep_names = {});

 private:
  LayerCache(std::string root, content::BlobStore* blobs, int64_t max_unpacked)
      : root_(std::move(root)), blobs_(blobs), max_unpacked_(max_unpacked) {}
  // Unpacks `fd` into a temp dir and renames it to PathFor(diff_id) once `before_rename`
  // (optional) is OK.
  Result<ApplyStats> Unpack(int fd, oci::Compression compression, const oci::Digest& diff_id,
                            const std::string& name,
                            const std::function<Status()>& before_rename = {});
  std::string root_;
  content::BlobStore* blobs_;
  int64_t max_unpacked_;
};

}  // namespace kiln::snapshot
