// Where blobs came from and went to: for each blob digest, the registry repositories it was
// pulled from or pushed to, so that a push to another repository of the same registry can
// mount the blob instead of uploading it again.
//
// One file per digest, `<dir>/<hex>`, one line per "host/repo", each line appended with a single
// O_APPEND write (atomic between processes). Duplicates are harmless and skipped on reading. The
// record is a hint: a mount the registry refuses falls back to an upload.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "oci/digest.h"

namespace kiln::images {

class BlobOrigins {
 public:
  // `dir` is created when missing.
  static Result<BlobOrigins> Open(const std::string& dir);
  // Notes that `host`'s repository `repo` holds `digest`.
  Status Note(const oci::Digest& digest, const std::string& host, const std::string& repo);
  // The repositories of `host` known to hold `digest`, oldest first, without duplicates.
  std::vector<std::string> ReposOn(const oci::Digest& digest, const std::string& host) const;

 private:
  explicit BlobOrigins(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace kiln::images
