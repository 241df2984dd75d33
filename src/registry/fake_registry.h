// An in-memory registry behind the Transport interface: the distribution API as Distribution
// serves it, for the client's suite (client_test.cc) and for the tests of pull and push
// (images/), with switches for the failures a real registry shows.
//
// It answers requests for https://HOST and http://HOST (FakeRegistryOptions::host); any other
// host is a transport error ("could not resolve host"), except the storage host blobs redirect
// to when FakeRegistryOptions::redirect_blobs is set.
//
// Served: GET /v2/; manifests by tag or digest (GET, HEAD, PUT, DELETE; a PUT whose blobs or
// child manifests are not in the repository is MANIFEST_BLOB_UNKNOWN, one under a digest that
// does not match the bytes DIGEST_INVALID); blobs (GET with Range, HEAD, DELETE); uploads (POST,
// POST ?digest= monolithic, POST ?mount=&from=, PATCH with Content-Range, GET status with
// Range, PUT ?digest= with or without a last chunk, DELETE); tags/list with n, last and a Link
// header. Docker-Content-Digest on every manifest and blob answer, the spec's error bodies.
//
// Auth, when asked: Basic (401 + `WWW-Authenticate: Basic`), or Bearer, the fake being its own
// realm (https://HOST/token?service=HOST&scope=…, answered with {"token", "expires_in"} after
// checking the credentials as basic auth, when the options name some; or a POST of an OAuth2
// refresh-token grant when the username is "<token>"). A token carries the scopes granted; a
// request outside them is 401 with the scope it needs.
//
// Thread-safe: every request runs under one mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "registry/client.h"
#include "registry/transport.h"

namespace kiln::registry {

struct FakeRegistryOptions {
  std::string host = "registry.test";
  enum class Auth { kNone, kBasic, kBearer };
  Auth auth = Auth::kNone;
  // kBasic: the only accepted pair. kBearer: needed at the token endpoint when username is set
  // (else tokens go to anyone).
  Credentials credentials;
  int64_t token_expires_in = 300;   // seconds, as told to the client
  std::set<std::string> pull_only;  // kBearer: repositories whose tokens grant pull alone
  // GET of a blob answers 307 to https://storage.HOST/… (which serves it without auth).
  bool redirect_blobs = false;
  // tags/list pages hold at most this many tags when the client asks for no n (0 = all).
  int tag_page_size = 0;
};

// One request as the fake saw it (for tests: headers sent, requests counted).
struct RecordedRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool HasHeader(std::string_view name) const;  // case-insensitive
};

class FakeRegistry : public Transport {
 public:
  explicit FakeRegistry(FakeRegistryOptions options = {});
  ~FakeRegistry() override;
  Result<Response> Do(const Request& request) override;
  const std::string& host() const { return options_.host; }

  // --- Switches (each applies to requests to come) ---
  // The next `n` requests fail: with HTTP `status` (503, 429 with Retry-After: 5, 500), or
  // below HTTP (status 0: Unavailable "connection reset").
  void FailNext(int n, int status);
  // The next request whose body is longer than `bytes` (PATCH, PUT, POST ?digest=) has its
  // first `bytes` bytes stored (an upload keeps them), then fails below HTTP, as a connection
  // dropped mid-upload.
  void CutNextUpload(int64_t bytes);
  // The next blob GET delivers `bytes` bytes of its body, then fails below HTTP.
  void CutNextDownload(int64_t bytes);
  // GETs of this blob serve bytes that are not its digest's (same length, one byte changed).
  void CorruptBlob(const oci::Digest& digest);
  // POST ?mount= opens an upload instead of mounting (as when `from` is not readable).
  void RefuseMounts(bool refuse);
  // POST ?mount= answers HTTP `status` (403 DENIED, 404 BLOB_UNKNOWN, 405 UNSUPPORTED,
  // 5xx UNAVAILABLE; 0: off)..
  void FailMounts(int status);
  // Tokens issued so far stop being accepted (as when they expire).
  void ExpireTokens();

  // --- Direct access, bypassing HTTP ---
  oci::Digest AddBlob(const std::string& repo, const std::string& bytes);
  bool HasBlob(const std::string& repo, const oci::Digest& digest) const;
  std::optional<std::string> Blob(const oci::Digest& digest) const;
  // The manifest's digest under `tag`, or nullopt.
  std::optional<oci::Digest> Tag(const std::string& repo, const std::string& tag) const;
  std::vector<std::string> Tags(const std::string& repo) const;
  // Uploads begun and not finished.
  int OpenUploads() const;
  // Bytes of blob bodies handed to clients so far (a transfer its sink stopped counts less).
  int64_t BlobBytesServed() const;
  std::vector<RecordedRequest> requests() const;
  void ClearRequests();

 private:
  struct Repo;
  struct Upload;
  struct Call;
  Result<Response> Serve(Call& call);
  Result<Response> ServeToken(Call& call);
  std::optional<Response> CheckAuth(Call& call, const std::string& repo, bool write);
  Result<Response> ServeManifest(Call& call, Repo& repo, const std::string& reference);
  Result<Response> PutManifest(Call& call, Repo& repo, const std::string& reference);
  Result<Response> ServeBlob(Call& call, Repo& repo, const std::string& digest);
  Result<Response> StartUpload(Call& call, Repo& repo);
  Result<Response> ServeUpload(Call& call, Repo& repo, const std::string& id);
  Result<Response> ServeTags(Call& call, Repo& repo);
  Result<Response> SendBody(Call& call, Response response, std::string body);
  Status ReadBody(Call& call, std::string* out);
  Response UploadStatus(const std::string& id, int status);

  FakeRegistryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Repo>> repos_;
  std::map<oci::Digest, std::string> blobs_;  // every repository's, by digest
  std::map<std::string, std::unique_ptr<Upload>> uploads_;
  std::map<std::string, std::set<std::string>> tokens_;  // token → scopes granted
  std::set<oci::Digest> corrupt_;
  std::vector<RecordedRequest> requests_;
  int fail_next_ = 0, fail_status_ = 0;
  int64_t cut_upload_ = -1, cut_download_ = -1;
  bool refuse_mounts_ = false;
  int fail_mounts_ = 0;
  int64_t blob_bytes_served_ = 0;
  int next_id_ = 0;
};

}  // namespace kiln::registry
