// The OCI distribution client: one registry host, over a Transport (transport.h), per the OCI
// distribution spec (https://github.com/opencontainers/distribution-spec/blob/main/spec.md).
//
// Contract:
// - Thread-safe: one Client serves the parallel layer transfers of a pull or push.
// - Endpoint: HTTPS with the system's CAs and the host's own CA (HostOptions). Plain HTTP only
//   for loopback hosts (127.0.0.0/8, [::1], localhost) and hosts marked insecure, as docker
//   does: HTTPS is tried first and plain HTTP used when the host does not speak TLS.
// - Auth: requests go out anonymous; a 401 with `WWW-Authenticate: Basic` is answered with the
//   host's credentials, one with `Bearer realm=…,service=…,scope=…` by fetching a token from
//   the realm (with the credentials, if any, as basic auth) for the scopes the operation needs
//   (repository:REPO:pull, :pull,push, and the source repository of a mount), cached per scope
//   until it expires. Credentials and tokens go only to the host they belong to (and the realm
//   the host named: over HTTPS, verified with the system's CAs unless it is the host itself;
//   over plain HTTP only to loopback or to the host itself where plain HTTP is allowed); never
//   into a log line, an error message or an argv. A 401 that survives
//   auth is PermissionDenied ("127.0.0.1:5000: authentication required: wrong username or
//   password, or run kiln login 127.0.0.1:5000").
// - Retries: a transport failure (Unavailable), 429 and 5xx are retried with exponential
//   backoff (RetryPolicy), bounded; the last error is returned with the attempts counted
//   ("… after 5 attempts"). A blob download interrupted mid-way resumes with a Range request.
// - Errors carry the registry's error code and message (the spec's `errors` body), the
//   operation and the reference: "GET 127.0.0.1:5000/team/tool:1.0: MANIFEST_UNKNOWN: …" is
//   NotFound; DENIED/UNAUTHORIZED PermissionDenied; a digest the registry sends that does not
//   match what was asked is DataLoss naming both digests.
// - Redirects (blob downloads to storage) are followed without the Authorization header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "base/status.h"
#include "oci/digest.h"
#include "oci/types.h"
#include "registry/transport.h"

namespace kiln::registry {

struct Credentials {
  std::string username;
  std::string password;  // or an identity token with username "<token>"
};

// Where a client's credentials come from (credentials.h: kiln login's file, then docker's and
// podman's config.json). Thread-safe.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The credentials for `host` ("127.0.0.1:5000"), or nullopt for anonymous access.
  virtual Result<std::optional<Credentials>> For(const std::string& host) = 0;
};

struct RetryPolicy {
  int attempts = 5;               // tries in all, the first included
  double initial_backoff = 0.25;  // seconds; doubled each time, with jitter
  double max_backoff = 8;
  // Sleeps between attempts; tests pass one that does not (default: the real sleep). Called
  // from each thread that retries, at once.
  std::function<void(double seconds)> sleep;
};

struct HostOptions {
  // --tls-verify=false, or the host is in the config's insecure_registries: no certificate
  // check, and plain HTTP allowed.
  bool insecure = false;
  // A dir holding ca.crt (and client.cert/client.key); "" = /etc/containers/certs.d/HOST
  // (podman's place: HOST is "host:port" when the reference has a port).
  std::string cert_dir;
  std::string certs_d_root = "/etc/containers/certs.d";
};

struct ClientOptions {
  Transport* transport = nullptr;           // not owned; outlives the client
  CredentialSource* credentials = nullptr;  // not owned; null = anonymous only
  HostOptions host;
  RetryPolicy retry;
  // For people, one line at a time (default: kiln's log): retries and resumed transfers at
  // kWarn, detail such as the plain-HTTP fallback of a loopback host at kDebug.
  std::function<void(LogLevel, const std::string&)> log;
};

// A manifest or index as the registry serves it.
struct FetchedManifest {
  oci::Descriptor descriptor;  // media type, digest (checked against the bytes), size
  std::string bytes;
};

// Push of one blob.
struct BlobUpload {
  oci::Descriptor descriptor;  // digest and size of the bytes
  // Opens the blob for reading from the start (called again to resume after a cut).
  std::function<Result<UniqueFd>()> open;
  // Bytes per PATCH; 0 = one monolithic PUT (the default below 64 MiB is decided by the caller).
  int64_t chunk_size = 0;
  std::function<void(int64_t bytes_sent)> progress;
};

class Client {
 public:
  // `host` as in a reference: "127.0.0.1:5000", "quay.io"; "docker.io" is served by
  // registry-1.docker.io.
  Client(std::string host, ClientOptions options);
  ~Client();
  const std::string& host() const { return host_; }

  // GET /v2/ with the credentials: OK, or PermissionDenied for wrong credentials (kiln login
  // checks them before storing anything), Unavailable when the host cannot be reached. On OK,
  // `*credentials_checked` (when given) says whether the 200 answered a request carrying them
  // (basic auth, or a token the realm gave for them): false when the registry answered
  // anonymously, never asking, so the credentials were not checked at all.
  Status Ping(bool* credentials_checked = nullptr);

  // The manifest or index `reference` (a tag or "sha256:…") names in `repo`, accepting OCI and
  // Docker schema 2 manifests and indexes. A digest reference is checked against the bytes.
  Result<FetchedManifest> GetManifest(const std::string& repo, const std::string& reference);
  // HEAD: the descriptor only (the tag's current digest), no body.
  Result<oci::Descriptor> HeadManifest(const std::string& repo, const std::string& reference);
  // PUT the manifest under `reference` (a tag, or its digest). Every blob it references must
  // already be in `repo` (push them first: a registry never shows a tag whose blobs are missing).
  Status PutManifest(const std::string& repo, const std::string& reference,
                     const std::string& media_type, const std::string& bytes);
  // Deletes the manifest with this digest (and so every tag on it).
  Status DeleteManifest(const std::string& repo, const oci::Digest& digest);
  // Every tag of `repo`, following the Link header's pages.
  Result<std::vector<std::string>> ListTags(const std::string& repo);

  // HEAD the blob: true when `repo` has it.
  Result<bool> HasBlob(const std::string& repo, const oci::Digest& digest);
  // Streams the blob's bytes from `offset` into `sink`, in order. Resumes with a Range request
  // after a cut (the sink sees each byte once). Does not check the digest: the caller's sink
  // does (a BlobWriter commits only the expected digest).
  Status GetBlob(const std::string& repo, const oci::Descriptor& blob,
                 const std::function<Status(std::string_view)>& sink, int64_t offset = 0);
  // Cross-repository mount (POST ?mount=DIGEST&from=FROM): true when the registry mounted it,
  // false when it did not (the upload it opened instead is cancelled).
  Result<bool> MountBlob(const std::string& repo, const oci::Digest& digest,
                         const std::string& from_repo);
  // Uploads the blob (monolithic, or chunked by upload.chunk_size). After a cut mid-way it
  // asks the upload's status (GET on its location: the Range received) and goes on from
  // there; a registry that lost the upload gets a fresh one. The digest is the registry's to
  // check (PUT ?digest=); a mismatch is DataLoss.
  Status PushBlob(const std::string& repo, const BlobUpload& upload);

 private:
  class Impl;
  std::string host_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::registry
