// The client's blob push: POST an upload, then PATCH chunks (Content-Range) or PUT the bytes
// with ?digest=; after a cut, GET the upload's status (Range) and go on from there, or start a
// fresh upload when the registry lost it.
#include <unistd.h>

#include <memory>

#include "base/clock.h"
#include "registry/client.h"
#include "registry/client_internal.h"
#include "registry/url.h"

namespace kiln::registry {
namespace {

struct Progress {
  std::string location;  // where the upload goes on
  int64_t offset = 0;    // bytes the registry has
};

}  // namespace

class Client::Impl::BlobPush {
 public:
  BlobPush(Client::Impl& impl, const std::string& repo, const BlobUpload& upload)
      : impl_(impl), repo_(repo), upload_(upload) {
    what_ = "push " + impl.host + "/" + repo + "@" + upload.descriptor.digest.str();
    scopes_ = {Scope(repo, "pull,push")};
  }

  Status Run() {
    int failed = 0, tries = 0;
    bool have_upload = false;
    while (true) {
      ++tries;
      int64_t before = progress_.offset;
      Result<Response> r = Attempt(&have_upload);
      if (r.ok() && r->status == 201) return CheckCreated(*r);
      if (!IsTransient(r)) return Client::Impl::Failure(r, what_, tries);
      failed = progress_.offset > before ? 1 : failed + 1;
      if (failed >= std::max(impl_.options.retry.attempts, 1)) {
        return Client::Impl::Failure(r, what_, tries);
      }
      double wait = Backoff(impl_.options.retry, failed);
      impl_.Log(LogLevel::kWarn,
                what_ + ": " +
                    (r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message()) +
                    ", resuming in " + FormatDuration(wait));
      SleepFor(impl_.options.retry, wait);
      have_upload = have_upload && AskStatus();
    }
  }

 private:
  // Opens an upload when there is none, then sends the bytes from progress_.offset.
  Result<Response> Attempt(bool* have_upload) {
    if (!*have_upload) {
      Call call;
      call.method = "POST";
      call.url = "/v2/" + repo_ + "/blobs/uploads/";
      call.scopes = scopes_;
      ASSIGN_OR_RETURN(Response r, impl_.Send(call));
      if (r.status == 201)
        return Internal(what_ + ": the registry finished an upload it had not had");
      if (r.status != 202) return r;
      progress_ = {r.Header("location"), 0};
      if (progress_.location.empty()) return Unavailable(what_ + ": the upload has no Location");
      *have_upload = true;
    }
    return SendFrom();
  }

  // GET on the upload: true, with progress_ set, when the registry still has it.
  bool AskStatus() {
    Call call;
    call.url = progress_.location;
    call.scopes = scopes_;
    Result<Response> r = impl_.Send(call);
    if (!r.ok() || r->status != 204) return false;
    std::string range = r->Header("range");  // "0-END"
    size_t dash = range.find('-');
    int64_t end =
        dash == std::string::npos ? 0 : std::strtoll(range.c_str() + dash + 1, nullptr, 10);
    if (end <= 0) return false;  // "0-0" is no bytes or one: start again
    if (!r->Header("location").empty()) progress_.location = r->Header("location");
    progress_.offset = end + 1;
    return true;
  }

  // PATCHes the chunks from progress_.offset (none when monolithic), then PUT ?digest=.
  Result<Response> SendFrom() {
    const int64_t size = upload_.descriptor.size;
    ASSIGN_OR_RETURN(UniqueFd fd, upload_.open());
    bool monolithic = upload_.chunk_size <= 0;
    while (!monolithic && progress_.offset < size) {
      int64_t n = std::min(upload_.chunk_size, size - progress_.offset);
      Call call = BodyCall("PATCH", progress_.location, fd.get(), n);
      call.headers.emplace_back("Content-Range", std::to_string(progress_.offset) + "-" +
                                                     std::to_string(progress_.offset + n - 1));
      ASSIGN_OR_RETURN(Response r, impl_.Send(call));
      if (r.status == 416) return Unavailable("the registry has other bytes than ours");
      if (r.status != 202) return r;
      progress_.offset += n;
      if (!r.Header("location").empty()) progress_.location = r.Header("location");
    }
    std::string url = WithQuery(progress_.location, "digest", upload_.descriptor.digest.str());
    int64_t rest = monolithic ? size - progress_.offset : 0;
    return impl_.Send(BodyCall("PUT", url, fd.get(), rest));
  }

  // A request whose body is `n` bytes of `fd` from progress_.offset.
  Call BodyCall(const std::string& method, const std::string& url, int fd, int64_t n) {
    Call call;
    call.method = method;
    call.url = url;
    call.scopes = scopes_;
    call.headers = {{"Content-Type", "application/octet-stream"}};  // the length: body_size
    call.body_size = n;
    int64_t start = progress_.offset;
    auto sent = std::make_shared<int64_t>(0);
    call.body_reader = [this, fd, start, n, sent](char* buf, size_t want) -> Result<size_t> {
      size_t max = static_cast<size_t>(std::min<int64_t>(want, n - *sent));
      if (max == 0) return size_t{0};
      ssize_t got = ::pread(fd, buf, max, start + *sent);
      if (got < 0) return ErrnoStatus(what_ + ": read the blob", errno);
      if (got == 0) return DataLoss(what_ + ": the blob is shorter than its size");
      *sent += got;
      if (upload_.progress) upload_.progress(start + *sent);
      return static_cast<size_t>(got);
    };
    return call;
  }

  Status CheckCreated(const Response& r) {
    std::string digest = r.Header("docker-content-digest");
    if (!digest.empty() && digest != upload_.descriptor.digest.str()) {
      return DataLoss(what_ + ": the registry stored " + digest);
    }
    return Status::Ok();
  }

  Client::Impl& impl_;
  const std::string& repo_;
  const BlobUpload& upload_;
  std::string what_;
  std::vector<std::string> scopes_;
  Progress progress_;
};

Status Client::PushBlob(const std::string& repo, const BlobUpload& upload) {
  return Impl::BlobPush(*impl_, repo, upload).Run();
}

}  // namespace kiln::registry
