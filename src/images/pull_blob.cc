#include "images/pull_blob.h"

#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "base/fd.h"

namespace kiln::images {
namespace {

void Report(const BlobFetch& f, const oci::Descriptor& blob, const std::string& kind,
            TransferEvent::State state, int64_t done, std::string note = "") {
  if (!f.progress) return;
  f.progress(TransferEvent{blob.digest, kind, state, done, blob.size, std::move(note)});
}

// The sink of a download: the writer, then the pipe to the unpacker (while it reads).
class Sink {
 public:
  Sink(const BlobFetch& f, const oci::Descriptor& blob, const std::string& kind,
       content::BlobWriter* writer, int pipe_fd, const std::atomic<bool>* unpack_failed)
      : f_(f),
        blob_(blob),
        kind_(kind),
        writer_(writer),
        pipe_fd_(pipe_fd),
        unpack_failed_(unpack_failed) {}
  // An error here ends the transfer for good (GetBlob does not retry a sink's error).
  Status operator()(std::string_view data) {
    if (f_.stop != nullptr && f_.stop->load())
      return FailedPrecondition("stopped: another blob failed");
    if (unpack_failed_ != nullptr && unpack_failed_->load())
      return FailedPrecondition("stopped: the unpack failed");
    RETURN_IF_ERROR(writer_->Write(data));
    // The unpacker reads to the end even after an error of its own, so this never blocks for
    // good (and the next call sees unpack_failed_); its own status says what went wrong.
    if (pipe_fd_ >= 0) RETURN_IF_ERROR(WriteAll(pipe_fd_, data).WithContext("feed the unpack"));
    done_ += static_cast<int64_t>(data.size());
    if (done_ - reported_ >= (int64_t{256} << 10) || done_ == blob_.size) {
      reported_ = done_;
      Report(f_, blob_, kind_, TransferEvent::State::kRunning, done_);
    }
    return Status::Ok();
  }

 private:
  const BlobFetch& f_;
  const oci::Descriptor& blob_;
  const std::string& kind_;
  content::BlobWriter* writer_;
  int pipe_fd_;
  const std::atomic<bool>* unpack_failed_;
  int64_t done_ = 0;
  int64_t reported_ = 0;
};

Status Download(const BlobFetch& f, const oci::Descriptor& blob, const std::string& kind,
                content::BlobWriter* writer, int pipe_fd,
                const std::atomic<bool>* unpack_failed = nullptr) {
  Sink sink(f, blob, kind, writer, pipe_fd, unpack_failed);
  RETURN_IF_ERROR(f.client->GetBlob(f.repo, blob, std::ref(sink)));
  auto committed = writer->Commit(blob.media_type, blob.digest, blob.size);
  if (!committed.ok()) {
    return committed.status().WithContext(f.client->host() + "/" + f.repo + " served " + kind +
                                          " " + blob.digest.str());
  }
  return Status::Ok();
}

}  // namespace

Status FetchBlob(const BlobFetch& f, const oci::Descriptor& blob, const std::string& kind,
                 snapshot::LayerCache* cache, const std::optional<oci::Digest>& unpack_as) {
  ASSIGN_OR_RETURN(std::unique_ptr<content::BlobWriter> writer, f.blobs->NewWriter());
  Status status = Status::Ok();
  if (cache == nullptr || !unpack_as) {
    status = Download(f, blob, kind, writer.get(), -1);
  } else {
    ASSIGN_OR_RETURN(oci::Compression compression, oci::LayerCompression(blob.media_type));
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
    UniqueFd rd(p[0]), wr(p[1]);
    // A bigger pipe (best effort) lets the download run ahead of the unpack by more than 64 KiB.
    (void)::fcntl(wr.get(), F_SETPIPE_SZ, 1 << 20);
    std::promise<Status> committed;
    std::shared_future<Status> verdict = committed.get_future().share();
    Status unpacked = Status::Ok();
    std::atomic<bool> unpack_failed{false};
    std::thread unpacker([&] {
      unpacked = cache
                     ->UnpackStream(
                         rd.get(), compression, *unpack_as, "layer " + blob.digest.str(),
                         [&] { return verdict.get(); }, &unpack_failed)
                     .status();
    });
    status = Download(f, blob, kind, writer.get(), wr.get(), &unpack_failed);
    committed.set_value(status);
    wr.reset();
    unpacker.join();
    // A failed unpack stopped the download: its error is the one to report.
    if (!unpacked.ok() && (status.ok() || unpack_failed.load())) {
      status = unpacked.WithContext("unpack " + kind + " " + blob.digest.str());
    }
  }
  Report(f, blob, kind, status.ok() ? TransferEvent::State::kDone : TransferEvent::State::kFailed,
         status.ok() ? blob.size : 0);
  return status;
}

}  // namespace kiln::images
