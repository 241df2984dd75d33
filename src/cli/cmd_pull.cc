// kiln pull REF
#include <cstdio>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "images/pull.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln pull - copy an image from a registry into kiln's store

SYNOPSIS
    kiln pull [--tls-verify=false] [--cert-dir DIR] [--json] REF

DESCRIPTION
    Pulls REF (HOST[:PORT]/REPO[:TAG|@DIGEST]; without a host, Docker Hub as docker and podman
    read it: "debian" is docker.io/library/debian:latest) and names it locally as written, e.g.
    127.0.0.1:5000/team/toolbox:1.2.0, so jobs can run it (runs-on: {image: REF}, container:).
    An image index gives the manifest of this machine's platform.

    Layers download in parallel and unpack into the layer cache as they arrive, in one pass.
    A blob the store holds is not downloaded again; a layer already unpacked is not unpacked
    again. Every blob is checked against its digest: a mismatch stores nothing and names the
    digest. Gzip and zstd layers are read. A pull that fails or is interrupted leaves no name
    and no half image.

    Credentials come from `kiln login`, else the `auths` of podman's and docker's auth files
    ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json).
    Loopback registries (127.0.0.1, localhost, [::1]) may speak plain HTTP.

    On a terminal, stderr shows each layer's bytes, rate and ETA; otherwise only the result
    is printed: "REFERENCE DIGEST".

OPTIONS
)";

}  // namespace

int PullCommand(App& app, const Args& args) {
  static const std::string help = std::string(kHelp) + kRegistryFlagsHelp + R"(
EXAMPLES
    kiln pull 127.0.0.1:5000/team/toolbox:1.2.0
    kiln pull --json quay.io/podman/hello
)";
  if (WantsHelp(args, help.c_str())) return 0;
  auto flags = Flags::Parse(args, RegistryFlagSpecs());
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1) {
    return Fail(InvalidArgument("usage: kiln pull [--tls-verify=false] [--json] REF"));
  }
  const std::string& text = flags->positional()[0];
  auto remote = RemoteReference(text);
  if (!remote.ok()) return Fail(remote.status());
  if (Status s = ApplyRegistryFlags(app, *flags, remote->domain); !s.ok()) return Fail(s);
  auto local = content::NormalizeImageName(text);
  if (!local.ok()) return Fail(local.status());
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto store = (*engine)->Store();
  auto layers = (*engine)->Layers();
  auto client = (*engine)->Registry(remote->domain);
  for (const Status& s : {store.status(), layers.status(), client.status()}) {
    if (!s.ok()) return Fail(s);
  }
  TransferDisplay display;
  images::PullOptions options;
  options.progress = display.Callback();
  auto origins = (*engine)->Origins();
  if (origins.ok()) options.origins = *origins;
  auto pulled = images::PullImage(**client, **store, **layers, *remote, *local, options);
  display.Finish();
  if (!pulled.ok()) return Fail(pulled.status());
  PrintReferenceResult(*flags, remote->ToString(), pulled->digest);
  return 0;
}

}  // namespace kiln::cli
