// Content-addressed blob storage: the BlobStore interface, its on-disk implementation (an OCI
// image layout's blobs/ directory) and an in-memory fake. Both pass one test suite
// (blob_store_test.cc).
//
// Contract of ingest: bytes are hashed while they are written; Commit() checks the size and
// digest the caller expected, fsyncs the data, renames it into blobs/<alg>/<hex>, and fsyncs the
// directory. A mismatch is DataLoss and commits nothing. Two writers committing the same digest
// at once both succeed (the second finds the blob present). A writer destroyed without Commit()
// leaves nothing behind; a writer whose process was killed leaves a temp file that SweepTemp()
// removes (DiskBlobStore: the writer holds an flock on its temp file, which dies with it).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/owner_lock.h"
#include "base/status.h"
#include "oci/digest.h"
#include "oci/types.h"

namespace kiln::content {

class Ingest;

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual Status Write(std::string_view data) = 0;
  // Bytes written so far.
  virtual int64_t Size() const = 0;
  // Finishes the blob. `expected` (if set) must equal the computed digest and `expected_size`
  // the byte count; otherwise DataLoss and nothing is committed. Returns the descriptor with
  // `media_type`. Write() must not be called afterwards.
  virtual Result<oci::Descriptor> Commit(std::string media_type,
                                         std::optional<oci::Digest> expected = std::nullopt,
                                         std::optional<int64_t> expected_size = std::nullopt) = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual Result<std::unique_ptr<BlobWriter>> NewWriter() = 0;
  // Convenience: one Write + Commit.
  Result<oci::Descriptor> Put(std::string_view data, std::string media_type,
                              std::optional<oci::Digest> expected = std::nullopt);
  virtual bool Has(const oci::Digest& digest) = 0;
  // Size in bytes; NotFound when absent.
  virtual Result<int64_t> Size(const oci::Digest& digest) = 0;
  // Opens the blob for reading (a memfd for the fake). NotFound when absent.
  virtual Result<UniqueFd> Open(const oci::Digest& digest) = 0;
  // Reads a whole (small) blob and verifies its digest: DataLoss if the bytes on disk no longer
  // match their name.
  Result<std::string> Read(const oci::Digest& digest);
  // Removes the blob; NotFound when absent.
  virtual Status Delete(const oci::Digest& digest) = 0;
  virtual Result<std::vector<oci::Digest>> List() = 0;
};

// Blobs under `<root>/blobs/<alg>/<hex>`, temp files under `<root>/ingest/`. Each writer holds an
// flock on its temp file from creation to commit or destruction (base/owner_lock.h), so a temp
// file nobody holds locked is a dead writer's.
class DiskBlobStore : public BlobStore {
 public:
  // Creates the directories when missing.
  static Result<std::unique_ptr<DiskBlobStore>> Open(const std::string& root);
  Result<std::unique_ptr<BlobWriter>> NewWriter() override { return NewWriter(nullptr); }
  // A writer whose commit, if it creates the blob, notes it in `ingest` (content/ingest.h).
  Result<std::unique_ptr<BlobWriter>> NewWriter(Ingest* ingest);
  bool Has(const oci::Digest& digest) override;
  Result<int64_t> Size(const oci::Digest& digest) override;
  Result<UniqueFd> Open(const oci::Digest& digest) override;
  Status Delete(const oci::Digest& digest) override;
  Result<std::vector<oci::Digest>> List() override;
  // Path where the blob lives (it may not exist).
  std::string PathOf(const oci::Digest& digest) const;
  // Removes the temp files of writers that are gone (killed processes); a live writer's file,
  // however old, stays. Returns what it removed.
  Result<SweepCount> SweepTemp();

 private:
  explicit DiskBlobStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

// In-memory fake for tests of the layers above.
std::unique_ptr<BlobStore> NewMemoryBlobStore();

}  // namespace kiln::content
