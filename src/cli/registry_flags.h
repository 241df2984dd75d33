// What kiln pull, push, login and logout share: the registry flags (--tls-verify, --cert-dir),
// the display of a reference's result, and the parsing of a reference for a registry.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/flags.h"
#include "oci/reference.h"

namespace kiln::cli {

// --tls-verify, --cert-dir, --json.
std::vector<FlagSpec> RegistryFlagSpecs();
// Applies --tls-verify=false and --cert-dir to the app (before its engine is made): the cert
// dir to `host` alone (the registry the command names); with `host` "" (kiln run, which may
// reach many registries) --cert-dir is InvalidArgument pointing to certs.d. InvalidArgument
// too for a --tls-verify that is not true or false.
Status ApplyRegistryFlags(App& app, const Flags& flags, const std::string& host);
// `text` parsed with registry defaults (docker.io, library/, latest), InvalidArgument naming it.
Result<oci::Reference> RemoteReference(const std::string& text);
// Prints the result: {"reference": …, "digest": …} with --json, else "REFERENCE DIGEST".
void PrintReferenceResult(const Flags& flags, const std::string& reference,
                          const oci::Digest& digest);

// The help text of the shared flags, for the verbs' --help.
inline constexpr const char* kRegistryFlagsHelp =
    R"(    --tls-verify=false  do not check the registry's certificate, and allow plain HTTP (as
                        podman's flag; also `insecure_registries` in the config file)
    --cert-dir DIR      the registry's CA (DIR/ca.crt) and client certificate
                        (client.cert, client.key), for the host this command names only;
                        default /etc/containers/certs.d/HOST:PORT/ (podman's place)
    --json              print {"reference": "…", "digest": "sha256:…"} on stdout
)";

}  // namespace kiln::cli
