// Image references and the names of repositories, as docker/distribution's reference grammar and
// the OCI distribution spec define them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "oci/digest.h"

namespace kiln::oci {

// The longest repository name accepted (the distribution spec lets registries refuse longer).
inline constexpr size_t kMaxRepositoryName = 255;
// The longest tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
inline constexpr size_t kMaxTag = 128;

// OK when `name` matches the distribution spec's repository grammar
//   [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
// (so no "..", no leading, trailing or doubled "/", no upper case, nothing outside [a-z0-9._/-])
// and is at most kMaxRepositoryName bytes; InvalidArgument saying what is wrong otherwise.
// Linear time, no regex.
Status ValidateRepositoryName(std::string_view name);

// OK when `tag` matches [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; InvalidArgument otherwise.
Status ValidateTag(std::string_view tag);

// A parsed image reference: `[domain/]path[:tag][@digest]`, or a bare digest `sha256:<hex>`
// (kiln accepts a manifest digest wherever an image is named).
//
// The first '/'-separated component is the domain only when it holds '.' or ':', is
// "localhost", or holds an upper-case letter (docker's rule); otherwise the whole name is the
// path ("team/tool" has no domain). A domain is host[:port], where host is a DNS name, an IPv4
// address or a bracketed IPv6 address ("[::1]:5000"). The path follows
// ValidateRepositoryName; a path of 64 hex digits without a domain is refused (it reads as an
// image ID: write sha256:<hex>). Domain and path together are at most kMaxRepositoryName bytes.
//
// Parse applies no defaults: "toolbox" stays domain "", path "toolbox", no tag. Local and
// catalogue names are matched as written; WithRegistryDefaults() is for talking to a registry.
struct Reference {
  std::string domain;            // "127.0.0.1:5000", "[::1]:5000", "quay.io"; empty when none
  std::string path;              // "team/tool"; empty only for a bare digest
  std::string tag;               // empty when none
  std::optional<Digest> digest;  // "@sha256:…", or the whole of a bare digest

  // InvalidArgument naming the input and what is wrong with it, e.g.
  // `reference "Foo:bar": repository must be lower case`. Never aborts, for any input.
  static Result<Reference> Parse(std::string_view text);

  // True for a bare digest (no repository).
  bool IsDigestOnly() const { return path.empty(); }
  // The repository as written: "domain/path", or "path" when there is no domain. Empty for a
  // bare digest.
  std::string Repository() const;
  // The reference as written: Repository() + ":tag" + "@digest" (each when present), or the
  // digest alone. Parse(r.ToString()) == r.
  std::string ToString() const;
  // Tag "latest" when the reference has neither a tag nor a digest; otherwise unchanged.
  Reference WithDefaultTag() const;
  // Docker's defaults for talking to a registry: domain "docker.io" when none (and
  // "index.docker.io" becomes "docker.io"), "library/" before a one-component Docker Hub path,
  // then WithDefaultTag(). "toolbox" → "docker.io/library/toolbox:latest". A bare digest is
  // returned unchanged. InvalidArgument when the defaults make the repository longer than
  // kMaxRepositoryName (as docker refuses it).
  Result<Reference> WithRegistryDefaults() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

}  // namespace kiln::oci
