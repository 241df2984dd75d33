#include "cli/registry_flags.h"

#include <cstdio>

#include "base/json.h"

namespace kiln::cli {

std::vector<FlagSpec> RegistryFlagSpecs() {
  return {{"--tls-verify", "", true}, {"--cert-dir", "", true}, {"--json", "", false}};
}

Status ApplyRegistryFlags(App& app, const Flags& flags, const std::string& host) {
  std::string verify = flags.Get("--tls-verify", "true");
  if (verify != "true" && verify != "false") {
    return InvalidArgument("--tls-verify must be true or false, not \"" + verify + "\"");
  }
  app.set_tls_verify(verify == "true");
  if (flags.Has("--cert-dir")) {
    if (host.empty()) {
      return InvalidArgument(
          "--cert-dir names one registry's certificates, and kiln run may reach many: put each "
          "registry's CA (and client.cert, client.key) in /etc/containers/certs.d/HOST:PORT/");
    }
    app.set_cert_dir(flags.Get("--cert-dir"), host);
  }
  return Status::Ok();
}

Result<oci::Reference> RemoteReference(const std::string& text) {
  ASSIGN_OR_RETURN(oci::Reference ref, oci::Reference::Parse(text));
  if (ref.IsDigestOnly()) {
    return InvalidArgument("reference \"" + text + "\": a digest alone names no repository");
  }
  return ref.WithRegistryDefaults();
}

void PrintReferenceResult(const Flags& flags, const std::string& reference,
                          const oci::Digest& digest) {
  if (flags.Has("--json")) {
    OrderedJson out = {{"reference", reference}, {"digest", digest.str()}};
    std::printf("%s\n", DumpJson(out).c_str());
  } else {
    std::printf("%s %s\n", reference.c_str(), digest.str().c_str());
  }
}

}  // namespace kiln::cli
