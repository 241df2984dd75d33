// FakeRegistry: the distribution endpoints (routing, manifests, blobs, tags) and the accessors.
// Uploads are in fake_registry_upload.cc.
#include <algorithm>

#include "base/json.h"
#include "registry/fake_registry.h"
#include "registry/fake_registry_internal.h"

namespace kiln::registry {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Digests a manifest or index references: the repository must hold them before the PUT.
std::vector<std::pair<std::string, bool>> References(const Json& doc) {  // digest, is manifest
  std::vector<std::pair<std::string, bool>> refs;
  if (doc.contains("manifests") && doc["manifests"].is_array()) {
    for (const auto& m : doc["manifests"]) refs.emplace_back(m.value("digest", ""), true);
  }
  if (doc.contains("config") && doc["config"].is_object()) {
    refs.emplace_back(doc["config"].value("digest", ""), false);
  }
  if (doc.contains("layers") && doc["layers"].is_array()) {
    for (const auto& l : doc["layers"]) refs.emplace_back(l.value("digest", ""), false);
  }
  return refs;
}

}  // namespace

Result<Response> FakeRegistry::Serve(Call& call) {
  const std::string& p = call.path;
  if (call.host != options_.host) {  // the storage host blobs redirect to
    auto d = oci::Digest::Parse(p.substr(p.rfind('/') + 1));
    if (!d.ok() || !blobs_.count(*d)) return ErrorResponse(404, "BLOB_UNKNOWN", "no such blob");
    Repo storage;
    storage.blobs.insert(*d);
    call.method = call.method == "HEAD" ? "HEAD" : "GET";
    return ServeBlob(call, storage, d->str());
  }
  if (p == "/token") return ServeToken(call);
  if (p == "/v2/" || p == "/v2") {
    if (auto denied = CheckAuth(call, "", false)) return *denied;
    Response r;
    r.status = 200;
    r.headers.emplace("docker-distribution-api-version", "registry/2.0");
    r.body = "{}";
    return SendBody(call, r, "{}");
  }
  if (p.rfind("/v2/", 0) != 0) return ErrorResponse(404, "NOT_FOUND", "not found: " + p);
  std::string rest = p.substr(4);
  // NAME/manifests/REF, NAME/blobs/DIGEST, NAME/blobs/uploads/[ID], NAME/tags/list: NAME may
  // hold "blobs" or "manifests" as a component, the last part never holds a '/'.
  std::string repo_name, kind, arg;
  for (std::string k : {"/blobs/uploads/", "/manifests/", "/blobs/", "/tags/list"}) {
    size_t at = rest.rfind(k);
    if (at == std::string::npos || at == 0 || !repo_name.empty()) continue;
    std::string last = rest.substr(at + k.size());
    if (last.find('/') != std::string::npos || (k == "/tags/list" && !last.empty())) continue;
    repo_name = rest.substr(0, at), kind = k, arg = last;
  }
  if (repo_name.empty() && EndsWith(rest, "/blobs/uploads")) {
    repo_name = rest.substr(0, rest.size() - 14), kind = "/blobs/uploads/";
  }
  if (repo_name.empty()) return ErrorResponse(404, "NOT_FOUND", "not found: " + p);
  bool write = call.method != "GET" && call.method != "HEAD";
  if (auto denied = CheckAuth(call, repo_name, write)) return *denied;
  auto& repo = repos_[repo_name];
  if (!repo) {
    if (!write) return ErrorResponse(404, "NAME_UNKNOWN", "repository name not known to registry");
    repo = std::make_unique<Repo>();
    repo->name = repo_name;
  }
  if (kind == "/manifests/") return ServeManifest(call, *repo, arg);
  if (kind == "/blobs/") return ServeBlob(call, *repo, arg);
  if (kind == "/tags/list") return ServeTags(call, *repo);
  if (arg.empty() && call.method == "POST") return StartUpload(call, *repo);
  return ServeUpload(call, *repo, arg);
}

Result<Response> FakeRegistry::ServeManifest(Call& call, Repo& repo, const std::string& ref) {
  if (call.method == "PUT") return PutManifest(call, repo, ref);
  auto digest = oci::Digest::Parse(ref);
  if (!digest.ok()) {
    auto tag = repo.tags.find(ref);
    if (tag == repo.tags.end()) return ErrorResponse(404, "MANIFEST_UNKNOWN", "manifest unknown");
    digest = tag->second;
  }
  auto m = repo.manifests.find(*digest);
  if (m == repo.manifests.end()) return ErrorResponse(404, "MANIFEST_UNKNOWN", "manifest unknown");
  if (call.method == "DELETE") {
    if (!oci::Digest::Parse(ref).ok()) {
      return ErrorResponse(400, "UNSUPPORTED", "delete a manifest by its digest");
    }
    repo.manifests.erase(m);
    std::erase_if(repo.tags, [&](const auto& t) { return t.second == *digest; });
    return Response{202, {}, ""};
  }
  // As Distribution: a manifest whose type the client does not accept is not there.
  std::string accept = call.Header("Accept");
  if (!accept.empty() && accept.find(m->second.media_type) == std::string::npos) {
    return ErrorResponse(404, "MANIFEST_UNKNOWN", "manifest type not in the Accept header");
  }
  Response r;
  r.status = 200;
  r.headers.emplace("content-type", m->second.media_type);
  r.headers.emplace("docker-content-digest", digest->str());
  r.headers.emplace("content-length", std::to_string(m->second.bytes.size()));
  return SendBody(call, r, m->second.bytes);
}

Result<Response> FakeRegistry::PutManifest(Call& call, Repo& repo, const std::string& ref) {
  std::string bytes;
  RETURN_IF_ERROR(ReadBody(call, &bytes));
  if (call.cut) return Unavailable("fake registry: connection reset by peer");
  oci::Digest digest = oci::Digest::FromData(bytes);
  auto by_digest = oci::Digest::Parse(ref);
  if (by_digest.ok() && *by_digest != digest) {
    return ErrorResponse(400, "DIGEST_INVALID", "manifest digest did not match");
  }
  auto doc = ParseJson(bytes, "manifest");
  if (!doc.ok() || !doc->is_object()) {
    return ErrorResponse(400, "MANIFEST_INVALID", "manifest invalid");
  }
  for (const auto& [d, is_manifest] : References(*doc)) {
    auto parsed = oci::Digest::Parse(d);
    bool present = parsed.ok() && (is_manifest ? repo.manifests.count(*parsed) > 0
                                               : repo.blobs.count(*parsed) > 0);
    if (!present) return ErrorResponse(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown: " + d);
  }
  repo.manifests[digest] = {call.Header("Content-Type"), bytes};
  if (!by_digest.ok()) repo.tags[ref] = digest;
  Response r{201, {}, ""};
  r.headers.emplace("location", "/v2/" + repo.name + "/manifests/" + digest.str());
  r.headers.emplace("docker-content-digest", digest.str());
  return r;
}

Result<Response> FakeRegistry::ServeBlob(Call& call, Repo& repo, const std::string& ref) {
  auto digest = oci::Digest::Parse(ref);
  if (!digest.ok()) return ErrorResponse(400, "DIGEST_INVALID", "invalid digest");
  auto blob = blobs_.find(*digest);
  if (blob == blobs_.end() || !repo.blobs.count(*digest)) {
    return ErrorResponse(404, "BLOB_UNKNOWN", "blob unknown to registry");
  }
  if (call.method == "DELETE") {
    repo.blobs.erase(*digest);
    return Response{202, {}, ""};
  }
  if (call.method == "GET" && options_.redirect_blobs && call.host == options_.host) {
    Response r{307, {}, ""};
    r.headers.emplace("location", "https://storage." + options_.host + "/blobs/" + ref);
    return r;
  }
  std::string bytes = blob->second;
  if (corrupt_.count(*digest) && !bytes.empty()) bytes[bytes.size() / 2] ^= 0x20;
  Response r;
  r.status = 200;
  r.headers.emplace("docker-content-digest", digest->str());
  r.headers.emplace("content-type", "application/octet-stream");
  std::string range = call.Header("Range");
  if (range.rfind("bytes=", 0) == 0) {
    size_t from = LeadingNumber(range.substr(6), UINT64_MAX);
    if (from >= bytes.size()) return ErrorResponse(416, "RANGE_INVALID", "range not satisfiable");
    r.status = 206;
    r.headers.emplace("content-range", "bytes " + std::to_string(from) + "-" +
                                           std::to_string(bytes.size() - 1) + "/" +
                                           std::to_string(bytes.size()));
    bytes = bytes.substr(from);
  }
  r.headers.emplace("content-length", std::to_string(bytes.size()));
  call.blob = true;
  return SendBody(call, r, std::move(bytes));
}

Result<Response> FakeRegistry::ServeTags(Call& call, Repo& repo) {
  std::vector<std::string> tags;
  std::string last = call.Query("last");
  for (const auto& [tag, digest] : repo.tags) {
    if (tag > last) tags.push_back(tag);  // std::map: sorted, as Distribution's are
  }
  std::string n_text = call.Query("n");
  size_t n = LeadingNumber(n_text, options_.tag_page_size);
  Response r{200, {{"content-type", "application/json"}}, ""};
  if (n > 0 && tags.size() > n) {
    tags.resize(n);
    r.headers.emplace("link", "</v2/" + repo.name + "/tags/list?n=" + std::to_string(n) +
                                  "&last=" + tags.back() + ">; rel=\"next\"");
  }
  return SendBody(call, r, DumpJson(Json{{"name", repo.name}, {"tags", tags}}));
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
    RETURN_IF_ERROR(call.request.on_body(std::string_view(body).substr(at, n)));
  }
  if (cut) return Unavailable("fake registry: connection reset by peer (download cut)");
  return r;
}

oci::Digest FakeRegistry::AddBlob(const std::string& repo_name, const std::string& bytes) {
  std::lock_guard lock(mu_);
  auto& repo = repos_[repo_name];
  if (!repo) repo = std::make_unique<Repo>(), repo->name = repo_name;
  oci::Digest d = oci::Digest::FromData(bytes);
  blobs_[d] = bytes;
  repo->blobs.insert(d);
  return d;
}

bool FakeRegistry::HasBlob(const std::string& repo, const oci::Digest& digest) const {
  std::lock_guard lock(mu_);
  auto it = repos_.find(repo);
  return it != repos_.end() && it->second->blobs.count(digest) > 0;
}

std::optional<std::string> FakeRegistry::Blob(const oci::Digest& digest) const {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(digest);
  return it == blobs_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<oci::Digest> FakeRegistry::Tag(const std::string& repo,
                                             const std::string& tag) const {
  std::lock_guard lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end() || !it->second->tags.count(tag)) return std::nullopt;
  return it->second->tags.at(tag);
}

std::vector<std::string> FakeRegistry::Tags(const std::string& repo) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> tags;
  auto it = repos_.find(repo);
  if (it != repos_.end()) {
    for (const auto& [tag, digest] : it->second->tags) tags.push_back(tag);
  }
  return tags;
}

}  // namespace kiln::registry
