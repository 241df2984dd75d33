// One operation's writes to the blob store (a pull, an import, a capture): a BlobStore that
// forwards to the store's DiskBlobStore and records the blobs its own writers' commits created
// (a commit that finds its blob present, put there by anyone, is not recorded). A failed import
// removes exactly that list, never what another thread of the process wrote meanwhile.
// Thread-safe: a pull commits its layers in parallel. Made by ImageStore::BeginIngest, which
// knows which ingests overlap in time (see ImageStore::PutImage).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "content/blob_store.h"

namespace kiln::content {

class Ingest : public BlobStore {
 public:
  // `done` runs when the ingest is destroyed.
  Ingest(DiskBlobStore& disk, std::function<void(Ingest*)> done)
      : disk_(disk), done_(std::move(done)) {}
  ~Ingest() override {
    if (done_) done_(this);
  }
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  Result<std::unique_ptr<BlobWriter>> NewWriter() override { return disk_.NewWriter(this); }
  bool Has(const oci::Digest& d) override { return disk_.Has(d); }
  Result<int64_t> Size(const oci::Digest& d) override { return disk_.Size(d); }
  Result<UniqueFd> Open(const oci::Digest& d) override { return disk_.Open(d); }
  Status Delete(const oci::Digest& d) override { return disk_.Delete(d); }
  Result<std::vector<oci::Digest>> List() override { return disk_.List(); }

  // Called by a writer whose commit created `digest`.
  void NoteCreated(const oci::Digest& digest) {
    std::lock_guard<std::mutex> lock(mu_);
    created_.push_back(digest);
  }
  std::vector<oci::Digest> Created() {
    std::lock_guard<std::mutex> lock(mu_);
    return created_;
  }

 private:
  DiskBlobStore& disk_;
  std::function<void(Ingest*)> done_;
  std::mutex mu_;
  std::vector<oci::Digest> created_;
};

}  // namespace kiln::content
