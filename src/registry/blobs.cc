// The client's blob reads: HEAD, GET resumed by Range after a cut, and cross-repository mounts.
#include "registry/client.h"
#include "registry/client_internal.h"
#include "registry/url.h"

namespace kiln::registry {

Result<bool> Client::HasBlob(const std::string& repo, const oci::Digest& digest) {
  Call call;
  call.method = "HEAD";
  call.url = "/v2/" + repo + "/blobs/" + digest.str();
  call.scopes = {Scope(repo, "pull")};
  call.follow_redirects = true;
  ASSIGN_OR_RETURN(
      Response r,
      impl_->SendChecked(call, "HEAD " + host_ + "/" + repo + "@" + digest.str(), {200, 404}));
  return r.status == 200;
}

Status Client::GetBlob(const std::string& repo, const oci::Descriptor& blob,
                       const std::function<Status(std::string_view)>& sink, int64_t offset) {
  std::string what = "GET " + host_ + "/" + repo + "@" + blob.digest.str();
  int64_t done = offset;  // bytes the sink has
  int64_t skip = 0;       // bytes of this answer the sink already has
  Status sink_status;
  Call call;
  call.url = "/v2/" + repo + "/blobs/" + blob.digest.str();
  call.scopes = {Scope(repo, "pull")};
  call.follow_redirects = true;
  call.on_head = [&](int status, const Headers& headers) {
    skip = status == 200 ? done : 0;  // a 200 to a Range request starts at byte 0
    auto said = headers.find("docker-content-digest");
    if (said != headers.end() && said->second.rfind("sha256:", 0) == 0 &&
        said->second != blob.digest.str()) {
      sink_status = DataLoss(what + ": the registry answers with blob " + said->second);
    }
    return sink_status;
  };
  call.on_body = [&](std::string_view chunk) {
    size_t n = std::min<size_t>(skip, chunk.size());
    chunk.remove_prefix(n);
    skip -= static_cast<int64_t>(n);
    if (chunk.empty()) return Status::Ok();
    if (blob.size >= 0 && done + static_cast<int64_t>(chunk.size()) > blob.size) {
      sink_status = DataLoss(what + ": the registry sent more than the blob's " +
                             std::to_string(blob.size) + " bytes");
      return sink_status;
    }
    done += static_cast<int64_t>(chunk.size());
    sink_status = sink(chunk);
    return sink_status;
  };
  int tries = 0;
  auto attempt = [&](AttemptNotes& notes) -> Result<Response> {
    call.headers.clear();
    if (done > 0) call.headers.emplace_back("Range", "bytes=" + std::to_string(done) + "-");
    int64_t before = done;
    Result<Response> r = impl_->Send(call);
    notes.progressed = done > before;
    if (!sink_status.ok()) {
      notes.permanent = true;
      return sink_status;
    }
    if (r.ok() && r->status / 100 == 2 && blob.size >= 0 && done < blob.size) {
      return Unavailable(what + ": the answer ended at byte " + std::to_string(done) + " of " +
                         std::to_string(blob.size));
    }
    return r;
  };
  auto log = [this](const std::string& line) { impl_->Log(LogLevel::kWarn, line); };
  Result<Response> r = WithRetries(impl_->options.retry, what, log, attempt, &tries);
  if (!sink_status.ok()) return sink_status;
  if (r.ok() && (r->status == 200 || r->status == 206)) return Status::Ok();
  return Impl::Failure(r, what, tries);
}

Result<bool> Client::MountBlob(const std::string& repo, const oci::Digest& digest,
                               const std::string& from_repo) {
  std::string what = "mount " + host_ + "/" + from_repo + "@" + digest.str() + " into " + repo;
  Call call;
  call.method = "POST";
  call.url = "/v2/" + repo + "/blobs/uploads/?mount=" + UrlEncode(digest.str()) +
             "&from=" + UrlEncode(from_repo);
  call.scopes = {Scope(repo, "pull,push"), Scope(from_repo, "pull")};
  ASSIGN_OR_RETURN(Response r, impl_->SendChecked(call, what, {201, 202}));
  if (r.status == 201) return true;
  // The registry opened an upload instead: cancel it (best effort; it expires anyway).
  std::string location = r.Header("location");
  if (!location.empty()) {
    Call cancel;
    cancel.method = "DELETE";
    cancel.url = location;
    cancel.scopes = {Scope(repo, "pull,push")};
    (void)impl_->Send(cancel);
  }
  return false;
}

}  // namespace kiln::registry
