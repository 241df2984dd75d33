#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/sha256.h"
#include "base/clock.h"
#include "content/blob_store.h"

namespace kiln::content {
namespace {

class DiskWriter : public BlobWriter {
 public:
  DiskWriter(DiskBlobStore* store, std::string tmp, UniqueFd fd)
      : store_(store), tmp_(std::move(tmp)), fd_(std::move(fd)) {}
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
  Result<oci::Descriptor> Commit(std::string media_type, std::optional<oci::Digest> expected,
                                 std::optional<int64_t> expected_size) override {
    if (done_) return FailedPrecondition("commit twice");
    done_ = true;
    oci::Digest got = oci::Digest::Sha256Hex(hash_.HexDigest());
    Status bad;
    if (expected_size && *expected_size != size_) {
      bad = DataLoss("size " + std::to_string(size_) + " != expected " + std::to_string(*expected_size));
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
    fd_.reset();
    std::string final_path = store_->PathOf(got);
    if (::rename(tmp_.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp_.c_str());
      return ErrnoStatus("rename blob into " + final_path, err);
    }
    RETURN_IF_ERROR(FsyncDir(final_path.substr(0, final_path.rfind('/'))));
    return oci::Descriptor{std::move(media_type), got, size_, {}, {}};
  }

 private:
  DiskBlobStore* store_;
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

Result<std::unique_ptr<BlobWriter>> DiskBlobStore::NewWriter() {
  std::string tmpl = root_ + "/ingest/blob-XXXXXX";
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("create " + tmpl, errno);
  return std::unique_ptr<BlobWriter>(std::make_unique<DiskWriter>(this, tmpl, UniqueFd(fd)));
}

bool DiskBlobStore::Has(const oci::Digest& d) { return PathExists(PathOf(d)); }

Result<int64_t> DiskBlobStore::Size(const oci::Digest& d) {
  struct stat st;
  if (::stat(PathOf(d).c_str(), &st) != 0) return ErrnoStatus("blob " + d.str(), errno);
  return static_cast<int64_t>(st.st_size);
}

Result<UniqueFd> DiskBlobStore::Open(const oci::Digest& d) {
  auto fd = kiln::Open(PathOf(d), O_RDONLY);
  if (!fd.ok()) return fd.status().code() == Code::kNotFound ? NotFound("blob " + d.str()) : fd.status();
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

Status DiskBlobStore::SweepTemp(int64_t min_age_seconds) {
  std::string dir = root_ + "/ingest";
  ASSIGN_OR_RETURN(auto names, ListDir(dir));
  int64_t now = Clock::Real()->NowUnix();
  for (const auto& n : names) {
    struct stat st;
    std::string p = dir + "/" + n;
    if (::lstat(p.c_str(), &st) == 0 && now - st.st_mtime >= min_age_seconds) ::unlink(p.c_str());
  }
  return Status::Ok();
}

}  // namespace kiln::content
