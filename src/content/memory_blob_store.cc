// The in-memory BlobStore fake.
#include <sys/mman.h>

#include <map>
#include <mutex>

#include "base/sha256.h"
#include "content/blob_store.h"

namespace kiln::content {
namespace {

class MemoryBlobStore;

class MemoryWriter : public BlobWriter {
 public:
  explicit MemoryWriter(MemoryBlobStore* store) : store_(store) {}
  Status Write(std::string_view data) override {
    if (done_) return FailedPrecondition("write after commit");
    hash_.Update(data);
    data_.append(data);
    return Status::Ok();
  }
  int64_t Size() const override { return static_cast<int64_t>(data_.size()); }
  Result<oci::Descriptor> Commit(std::string media_type, std::optional<oci::Digest> expected,
                                 std::optional<int64_t> expected_size) override;

 private:
  MemoryBlobStore* store_;
  Sha256 hash_;
  std::string data_;
  bool done_ = false;
};

class MemoryBlobStore : public BlobStore {
 public:
  Result<std::unique_ptr<BlobWriter>> NewWriter() override {
    return std::unique_ptr<BlobWriter>(std::make_unique<MemoryWriter>(this));
  }
  bool Has(const oci::Digest& d) override {
    std::lock_guard<std::mutex> l(mu_);
    return blobs_.count(d) != 0;
  }
  Result<int64_t> Size(const oci::Digest& d) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = blobs_.find(d);
    if (it == blobs_.end()) return NotFound("blob " + d.str());
    return static_cast<int64_t>(it->second.size());
  }
  Result<UniqueFd> Open(const oci::Digest& d) override {
    std::string data;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = blobs_.find(d);
      if (it == blobs_.end()) return NotFound("blob " + d.str());
      data = it->second;
    }
    UniqueFd fd(::memfd_create("kiln-blob", MFD_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("memfd_create", errno);
    RETURN_IF_ERROR(WriteAll(fd.get(), data));
    if (::lseek(fd.get(), 0, SEEK_SET) != 0) return ErrnoStatus("lseek", errno);
    return fd;
  }
  Status Delete(const oci::Digest& d) override {
    std::lock_guard<std::mutex> l(mu_);
    if (blobs_.erase(d) == 0) return NotFound("blob " + d.str());
    return Status::Ok();
  }
  Result<std::vector<oci::Digest>> List() override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<oci::Digest> out;
    for (const auto& [d, _] : blobs_) out.push_back(d);
    return out;
  }
  void Insert(const oci::Digest& d, std::string data) {
    std::lock_guard<std::mutex> l(mu_);
    blobs_.emplace(d, std::move(data));
  }

 private:
  std::mutex mu_;
  std::map<oci::Digest, std::string> blobs_;
};

Result<oci::Descriptor> MemoryWriter::Commit(std::string media_type,
                                             std::optional<oci::Digest> expected,
                                             std::optional<int64_t> expected_size) {
  if (done_) return FailedPrecondition("commit twice");
  done_ = true;
  oci::Digest got = oci::Digest::Sha256Hex(hash_.HexDigest());
  if (expected_size && *expected_size != Size()) {
    return DataLoss("size " + std::to_string(Size()) + " != expected " +
                    std::to_string(*expected_size));
  }
  if (expected && *expected != got) {
    return DataLoss("digest " + got.str() + " != expected " + expected->str());
  }
  int64_t size = Size();
  store_->Insert(got, std::move(data_));
  return oci::Descriptor{std::move(media_type), got, size, {}, {}};
}

}  // namespace

std::unique_ptr<BlobStore> NewMemoryBlobStore() { return std::make_unique<MemoryBlobStore>(); }

}  // namespace kiln::content
