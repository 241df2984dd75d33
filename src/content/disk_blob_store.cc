#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/fs.h"
#include "base/sha256.h"
#include "content/blob_store.h"
#include "content/ingest.h"

namespace kiln::content {
namespace {

class DiskWriter : public BlobWriter {
 public:
  DiskWriter(DiskBlobStore* store, Ingest* ingest, std::string tmp, UniqueFd fd)
      : store_(store), ingest_(ingest), tmp_(std::move(tmp)), fd_(std::move(fd)) {}
  ~DiskWriter() override {
    if (!done_) ::unlink(tmp_.c_str());
  }
  Status Write(std::string_view data) override {
    if (done_) return FailedPrecondition("write after commit");
    hash_.Update(data);
    size_ += static_cast<int64_t>(data.size());
    return WriteAll(fd_.get(), data).WithContext("write " + tmp_);
  }
  int64_t Size() const override { return size_; }

  // Moves the temp file to `final_path`. link() tells whether this commit created the blob
  // (recorded for a failed import's clean-up); when it was present, the verified bytes replace
  // it all the same (which repairs a blob damaged on disk).
  Status Place(const std::string& final_path, const oci::Digest& got) {
    if (::link(tmp_.c_str(), final_path.c_str()) == 0) {
      ::unlink(tmp_.c_str());
      if (ingest_ != nullptr) ingest_->NoteCreated(got);
      return Status::Ok();
    }
    if (::rename(tmp_.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp_.c_str());
      return ErrnoStatus("rename blob into " + final_path, err);
    }
    return Status::Ok();
  }
  Result<oci::Descriptor> Commit(std::string media_type, std::optional<oci::Digest> expected,
                                 std::optional<int64_t> expected_size) override {
    if (done_) return FailedPrecondition("commit twice");
    done_ = true;
    oci::Digest got = oci::Digest::Sha256Hex(hash_.HexDigest());
    Status bad;
    if (expected_size && *expected_size != size_) {
      bad = DataLoss("size " + std::to_string(size_) + " != expected " +
                     std::to_string(*expected_size));
    } else if (expected && *expected != got) {
      bad = DataLoss("digest " + got.str() + " != expected " + expected->str());
    }
    if (!bad.ok()) {
      ::unlink(tmp_.c_str());
      return bad;
    }
    if (::fchmod(fd_.get(), 0444) != 0 || ::fsync(fd_.get()) != 0) {
      ::unlink(tmp_.c_str());
      return ErrnoStatus("fsync " + tmp_, errno);
    }
    std::string final_path = store_->PathOf(got);
    RETURN_IF_ERROR(Place(final_path, got));
    fd_.reset();  // only now: the lock keeps sweepers off the temp file until it is placed
    RETURN_IF_ERROR(FsyncDir(final_path.substr(0, final_path.rfind('/'))));
    return oci::Descriptor{std::move(media_type), got, size_, {}, {}};
  }

 private:
  DiskBlobStore* store_;
  Ingest* ingest_;
  std::string tmp_;
  UniqueFd fd_;
  Sha256 hash_;
  int64_t size_ = 0;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<DiskBlobStore>> DiskBlobStore::Open(const std::string& root) {
  RETURN_IF_ERROR(MakeDirs(JoinPath(root, "blobs/sha256")));
  RETURN_IF_ERROR(MakeDirs(JoinPath(root, "ingest"), 0700));
  return std::unique_ptr<DiskBlobStore>(new DiskBlobStore(root));
}

std::string DiskBlobStore::PathOf(const oci::Digest& d) const {
  return root_ + "/blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex());
}

Result<std::unique_ptr<BlobWriter>> DiskBlobStore::NewWriter(Ingest* ingest) {
  std::string tmp;
  auto fd = CreateOwned(
      [&](std::string& path) -> Result<UniqueFd> {
        path = root_ + "/ingest/blob-XXXXXX";
        int fd = ::mkostemp(path.data(), O_CLOEXEC);
        if (fd < 0) return ErrnoStatus("create " + path, errno);
        return UniqueFd(fd);
      },
      tmp);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<BlobWriter>(
      std::make_unique<DiskWriter>(this, ingest, tmp, std::move(*fd)));
}

bool DiskBlobStore::Has(const oci::Digest& d) { return PathExists(PathOf(d)); }

Result<int64_t> DiskBlobStore::Size(const oci::Digest& d) {
  struct stat st;
  if (::stat(PathOf(d).c_str(), &st) != 0) return ErrnoStatus("blob " + d.str(), errno);
  return static_cast<int64_t>(st.st_size);
}

Result<UniqueFd> DiskBlobStore::Open(const oci::Digest& d) {
  auto fd = kiln::Open(PathOf(d), O_RDONLY);
  if (!fd.ok())
    return fd.status().code() == Code::kNotFound ? NotFound("blob " + d.str()) : fd.status();
  return fd;
}

Status DiskBlobStore::Delete(const oci::Digest& d) {
  if (::unlink(PathOf(d).c_str()) != 0) return ErrnoStatus("delete blob " + d.str(), errno);
  return Status::Ok();
}

Result<std::vector<oci::Digest>> DiskBlobStore::List() {
  std::vector<oci::Digest> out;
  ASSIGN_OR_RETURN(auto names, ListDir(root_ + "/blobs/sha256"));
  for (const auto& n : names) {
    auto d = oci::Digest::Parse("sha256:" + n);
    if (d.ok()) out.push_back(*d);
  }
  return out;
}

Result<SweepCount> DiskBlobStore::SweepTemp() { return SweepUnowned(root_ + "/ingest"); }

}  // namespace kiln::content
