// Reading the `auths` of a Docker/podman config.json (credentials.cc's parts, tested on their
// own). Nothing here returns or logs a password in an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "registry/client.h"

namespace kiln::registry {

// The host a config.json key names: "https://HOST", "http://HOST/...", "HOST/v1/", "HOST/v2/"
// and "HOST" are HOST; Docker Hub's names ("index.docker.io", "registry-1.docker.io", the
// legacy "https://index.docker.io/v1/") are "docker.io". A key with any other path (podman's
// per-namespace "quay.io/org") is returned whole and so matches no host.
std::string AuthKeyHost(std::string_view key);

struct AuthLookup {
  std::optional<Credentials> credentials;
  // Set when the file hands the host to an external helper (credHelpers[host], or credsStore
  // for a host without its own `auth`): the helper's name. kiln does not run helpers.
  std::string helper;
};

// The credentials `config` (the parsed content of `file`) holds for `host`: an exact key first,
// then any key AuthKeyHost maps to the host. InvalidArgument naming `file` and the key (never
// the value) when the structure or an `auth` value is malformed.
Result<AuthLookup> LookupAuth(const Json& config, const std::string& file,
                              const std::string& host);

// config.json text → Json; InvalidArgument naming `file` only (a parser's message would quote
// the bytes it stopped at, which may be a password).
Result<Json> ParseAuthFile(std::string_view text, const std::string& file);

std::string Base64Encode(std::string_view data);
// Standard alphabet, padding optional; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace kiln::registry
