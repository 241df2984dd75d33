// FakeRegistry: blob uploads (POST, mount, PATCH, GET status, PUT ?digest=, DELETE), and the
// bodies of requests and answers, where uploads and downloads are cut.
#include <algorithm>
#include <limits>

#include "registry/fake_registry.h"
#include "registry/fake_registry_internal.h"

namespace kiln::registry {
namespace {

Response Created(const std::string& repo, const oci::Digest& digest) {
  Response r{201, {}, ""};
  r.headers.emplace("location", "/v2/" + repo + "/blobs/" + digest.str());
  r.headers.emplace("docker-content-digest", digest.str());
  return r;
}

}  // namespace

Status FakeRegistry::ReadBody(Call& call, std::string* out) {
  const Request& req = call.request;
  int64_t limit = cut_upload_ >= 0 ? cut_upload_ : std::numeric_limits<int64_t>::max();
  int64_t size = req.body_reader ? req.body_size : static_cast<int64_t>(req.body.size());
  if (!req.body_reader) {
    *out = req.body.substr(0, std::min<int64_t>(size, limit));
  } else {
    char buf[64 * 1024];
    while (static_cast<int64_t>(out->size()) < std::min(size, limit)) {
      size_t want = std::min<int64_t>(sizeof buf, std::min(size, limit) - out->size());
      ASSIGN_OR_RETURN(size_t n, req.body_reader(buf, want));
      if (n == 0) break;
      out->append(buf, n);
    }
  }
  if (size > limit) {  // this body is longer than the cut: it stops there
    cut_upload_ = -1;
    call.cut = true;
  }
  return Status::Ok();
}

Result<Response> FakeRegistry::SendBody(Call& call, Response r, std::string body) {
  r.body.clear();
  call.sent = true;
  if (call.method == "HEAD") return r;
  bool cut = call.blob && cut_download_ >= 0;
  size_t limit = cut ? std::min<size_t>(body.size(), cut_download_) : body.size();
  if (cut) cut_download_ = -1;
  if (!call.request.on_body) {
    if (static_cast<int64_t>(limit) > call.request.max_body) {
      return InvalidArgument("fake registry: response body over max_body");
    }
    if (cut) return Unavailable("fake registry: connection reset by peer");
    r.body = std::move(body);
    return r;
  }
  if (call.request.on_head && limit > 0) {  // as the curl transport: with the first body byte
    RETURN_IF_ERROR(call.request.on_head(r.status, r.headers));
  }
  for (size_t at = 0; at < limit; at += 32 * 1024) {
    size_t n = std::min<size_t>(32 * 1024, limit - at);
    if (call.blob) blob_bytes_served_ += static_cast<int64_t>(n);
    RETURN_IF_ERROR(call.request.on_body(std::string_view(body).substr(at, n)));
  }
  if (cut) return Unavailable("fake registry: connection reset by peer (download cut)");
  return r;
}

Response FakeRegistry::UploadStatus(const std::string& id, int status) {
  const Upload& u = *uploads_.at(id);
  Response r{status, {}, ""};
  r.headers.emplace("location", "/v2/" + u.repo + "/blobs/uploads/" + id);
  // Distribution writes "0-0" for an empty upload too.
  r.headers.emplace("range", "0-" + std::to_string(u.bytes.empty() ? 0 : u.bytes.size() - 1));
  r.headers.emplace("docker-upload-uuid", id);
  r.headers.emplace("content-length", "0");
  return r;
}

Result<Response> FakeRegistry::StartUpload(Call& call, Repo& repo) {
  std::string mount = call.Query("mount"), from = call.Query("from");
  if (!mount.empty() && fail_mounts_ != 0) {
    const char* code = fail_mounts_ == 404   ? "BLOB_UNKNOWN"
                       : fail_mounts_ == 405 ? "UNSUPPORTED"
                       : fail_mounts_ >= 500 ? "UNAVAILABLE"
                                             : "DENIED";
    return ErrorResponse(fail_mounts_, code, "fake registry: mount refused");
  }
  if (!mount.empty()) {
    auto digest = oci::Digest::Parse(mount);
    auto source = repos_.find(from);
    bool readable = options_.auth != FakeRegistryOptions::Auth::kBearer ||
                    call.granted.count(from + ":pull") > 0;
    if (digest.ok() && !refuse_mounts_ && readable && source != repos_.end() &&
        source->second->blobs.count(*digest)) {
      repo.blobs.insert(*digest);
      return Created(repo.name, *digest);
    }
  }
  std::string monolithic = call.Query("digest");
  if (!monolithic.empty()) {
    std::string bytes;
    RETURN_IF_ERROR(ReadBody(call, &bytes));
    if (call.cut) return Unavailable("fake registry: connection reset by peer (upload cut)");
    auto digest = oci::Digest::Parse(monolithic);
    if (!digest.ok() || *digest != oci::Digest::FromData(bytes)) {
      return ErrorResponse(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
    }
    blobs_[*digest] = bytes;
    repo.blobs.insert(*digest);
    return Created(repo.name, *digest);
  }
  std::string id = "upload-" + std::to_string(++next_id_);
  uploads_[id] = std::make_unique<Upload>(Upload{repo.name, ""});
  return UploadStatus(id, 202);
}

Result<Response> FakeRegistry::ServeUpload(Call& call, Repo& repo, const std::string& id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second->repo != repo.name) {
    return ErrorResponse(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
  }
  Upload& upload = *it->second;
  if (call.method == "GET") return UploadStatus(id, 204);
  if (call.method == "DELETE") {
    uploads_.erase(it);
    return Response{204, {}, ""};
  }
  if (call.method != "PATCH" && call.method != "PUT") {
    return ErrorResponse(405, "UNSUPPORTED", "method not allowed");
  }
  std::string range = call.Header("Content-Range");
  if (!range.empty() && LeadingNumber(range, UINT64_MAX) != upload.bytes.size()) {
    Response r = UploadStatus(id, 416);
    r.body = "";
    return r;
  }
  std::string bytes;
  RETURN_IF_ERROR(ReadBody(call, &bytes));
  upload.bytes += bytes;
  if (call.cut) return Unavailable("fake registry: connection reset by peer (upload cut)");
  if (call.method == "PATCH") return UploadStatus(id, 202);
  auto digest = oci::Digest::Parse(call.Query("digest"));
  if (!digest.ok() || *digest != oci::Digest::FromData(upload.bytes)) {
    uploads_.erase(it);
    return ErrorResponse(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
  }
  blobs_[*digest] = std::move(upload.bytes);
  repo.blobs.insert(*digest);
  uploads_.erase(it);
  return Created(repo.name, *digest);
}

}  // namespace kiln::registry
