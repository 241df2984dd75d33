// The distribution client: ping, manifests and tags. Blobs are in blobs.cc and upload.cc, the
// request machinery in send.cc.
#include "registry/client.h"

#include "base/json.h"
#include "oci/media_types.h"
#include "registry/client_internal.h"
#include "registry/url.h"

namespace kiln::registry {
namespace {

std::string AcceptManifests() {
  return std::string(oci::kMediaTypeManifest) + ", " + oci::kMediaTypeIndex + ", " +
         oci::kDockerManifest + ", " + oci::kDockerManifestList;
}

// "127.0.0.1:5000/team/tool:1.0" or "…/team/tool@sha256:…".
std::string Name(const std::string& host, const std::string& repo, const std::string& ref) {
  return host + "/" + repo +
         (ref.rfind("sha256:", 0) == 0 || ref.rfind("sha512:", 0) == 0 ? "@" + ref : ":" + ref);
}

std::string MediaTypeOf(const Response& r) {
  std::string type = r.Header("content-type");
  return type.substr(0, type.find(';'));
}

// DataLoss when the registry's Docker-Content-Digest or the asked digest is not `computed`.
Status CheckDigest(const std::string& what, const std::string& reference, const Response& r,
                   const oci::Digest& computed) {
  auto asked = oci::Digest::Parse(reference);
  if (asked.ok() && *asked != computed) {
    return DataLoss(what + ": asked for " + asked->str() + ", the registry sent " + computed.str());
  }
  std::string header = r.Header("docker-content-digest");
  if (!header.empty() && header.rfind("sha256:", 0) == 0 && header != computed.str()) {
    return DataLoss(what + ": the registry says " + header + ", the bytes are " + computed.str());
  }
  return Status::Ok();
}

}  // namespace

Client::Client(std::string host, ClientOptions options)
    : host_(host), impl_(std::make_unique<Impl>(std::move(host), std::move(options))) {}
Client::~Client() = default;

Status Client::Ping(bool* credentials_checked) {
  bool authorized = false;
  Call call;
  call.url = "/v2/";
  call.authorized = &authorized;
  Status s = impl_->SendChecked(call, "GET " + host_ + "/v2/", {200}).status();
  if (credentials_checked) *credentials_checked = s.ok() && authorized;
  return s;
}

Result<FetchedManifest> Client::GetManifest(const std::string& repo, const std::string& reference) {
  std::string what = "GET " + Name(host_, repo, reference);
  Call call;
  call.url = "/v2/" + repo + "/manifests/" + reference;
  call.headers = {{"Accept", AcceptManifests()}};
  call.scopes = {Scope(repo, "pull")};
  call.max_body = int64_t{4} << 20;  // the spec's limit for manifests
  ASSIGN_OR_RETURN(Response r, impl_->SendChecked(call, what, {200}));
  FetchedManifest m;
  m.descriptor.digest = oci::Digest::FromData(r.body);
  RETURN_IF_ERROR(CheckDigest(what, reference, r, m.descriptor.digest));
  m.descriptor.media_type = MediaTypeOf(r);
  if (m.descriptor.media_type.empty() || m.descriptor.media_type == "application/json") {
    auto doc = ParseJson(r.body, what);
    if (doc.ok() && doc->is_object() && doc->contains("mediaType") &&
        (*doc)["mediaType"].is_string()) {
      m.descriptor.media_type = (*doc)["mediaType"].get<std::string>();
    }
  }
  m.descriptor.size = static_cast<int64_t>(r.body.size());
  m.bytes = std::move(r.body);
  return m;
}

Result<oci::Descriptor> Client::HeadManifest(const std::string& repo,
                                             const std::string& reference) {
  std::string what = "HEAD " + Name(host_, repo, reference);
  Call call;
  call.method = "HEAD";
  call.url = "/v2/" + repo + "/manifests/" + reference;
  call.headers = {{"Accept", AcceptManifests()}};
  call.scopes = {Scope(repo, "pull")};
  ASSIGN_OR_RETURN(Response r, impl_->SendChecked(call, what, {200}));
  auto digest = oci::Digest::Parse(r.Header("docker-content-digest"));
  if (!digest.ok()) {  // not every registry says it on HEAD: read the manifest instead
    ASSIGN_OR_RETURN(FetchedManifest m, GetManifest(repo, reference));
    return m.descriptor;
  }
  RETURN_IF_ERROR(CheckDigest(what, reference, Response{}, *digest));
  oci::Descriptor d;
  d.digest = *digest;
  d.media_type = MediaTypeOf(r);
  std::string length = r.Header("content-length");
  d.size = length.empty() ? 0 : std::strtoll(length.c_str(), nullptr, 10);
  return d;
}

Status Client::PutManifest(const std::string& repo, const std::string& reference,
                           const std::string& media_type, const std::string& bytes) {
  std::string what = "PUT " + Name(host_, repo, reference);
  Call call;
  call.method = "PUT";
  call.url = "/v2/" + repo + "/manifests/" + reference;
  call.headers = {{"Content-Type", media_type}};
  call.body = bytes;
  call.scopes = {Scope(repo, "pull,push")};
  ASSIGN_OR_RETURN(Response r, impl_->SendChecked(call, what, {200, 201}));
  return CheckDigest(what, reference, r, oci::Digest::FromData(bytes));
}

Status Client::DeleteManifest(const std::string& repo, const oci::Digest& digest) {
  Call call;
  call.method = "DELETE";
  call.url = "/v2/" + repo + "/manifests/" + digest.str();
  call.scopes = {Scope(repo, "delete")};
  return impl_->SendChecked(call, "DELETE " + Name(host_, repo, digest.str()), {200, 202}).status();
}

Result<std::vector<std::string>> Client::ListTags(const std::string& repo) {
  std::string what = "GET " + host_ + "/" + repo + " tags";
  std::vector<std::string> tags;
  Call call;
  call.url = "/v2/" + repo + "/tags/list";
  call.scopes = {Scope(repo, "pull")};
  for (int page = 0; !call.url.empty(); ++page) {
    if (page == 10000) return Internal(what + ": more than 10000 pages");
    ASSIGN_OR_RETURN(Response r, impl_->SendChecked(call, what, {200}));
    auto doc = ParseJson(r.body, what);
    if (!doc.ok() || !doc->is_object()) return InvalidArgument(what + ": the answer is not JSON");
    if (doc->contains("tags") && (*doc)["tags"].is_array()) {  // null for no tags
      for (const Json& t : (*doc)["tags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    std::string next = LinkNext(r.Header("link"));
    call.url = next;  // "/v2/…?n=…&last=…" on the host, or absolute
  }
  return tags;
}

}  // namespace kiln::registry
