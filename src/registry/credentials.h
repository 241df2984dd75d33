// Registry credentials at rest: `kiln login`'s own file, and the `auths` of Docker's and
// podman's config.json as fallbacks.
//
// kiln's file is `<state_dir>/auth.json`, mode 0600, in the same shape as Docker's config.json
// (`{"auths": {"HOST": {"auth": base64("user:password")}}}`), replaced atomically (temp file
// 0600, fsync, rename) under an flock, so two logins at once lose neither. A key may be written
// "https://HOST" or "HOST/v2/" as docker writes them; both match HOST. Docker Hub's legacy key
// "https://index.docker.io/v1/" matches "docker.io".
//
// Lookup order for a host: kiln's file, then each fallback file in order (a missing file is
// skipped; a malformed one is an error naming the file). `credsStore`/`credHelpers` entries
// (external helper programs) are not run: such a host has no credentials here, and the log
// says so once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/client.h"

namespace kiln::registry {

// The fallback files, in podman's order: $REGISTRY_AUTH_FILE alone when it is set (podman
// reads nothing else then); else ${XDG_RUNTIME_DIR}/containers/auth.json (without
// XDG_RUNTIME_DIR, as for root under sudo: /run/containers/$UID/auth.json), then
// ${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json, then $DOCKER_CONFIG/config.json (else
// $HOME/.docker/config.json). A file whose variables are unset (HOME) is left out.
std::vector<std::string> DefaultAuthFiles();

class CredentialStore : public CredentialSource {
 public:
  // `kiln_file`: kiln's own file (need not exist yet); `fallbacks`: read-only, in order.
  CredentialStore(std::string kiln_file, std::vector<std::string> fallbacks);
  Result<std::optional<Credentials>> For(const std::string& host) override;
  // Stores (replacing) the credentials for `host` in kiln's file. Call after Client::Ping()
  // accepted them: a wrong password is never stored.
  Status Save(const std::string& host, const Credentials& credentials);
  // Removes `host` from kiln's file; NotFound when it was not there.
  Status Remove(const std::string& host);

 private:
  std::string kiln_file_;
  std::vector<std::string> fallbacks_;
};

}  // namespace kiln::registry
