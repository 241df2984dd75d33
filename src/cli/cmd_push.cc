// kiln push LOCAL [REF]
#include <cstdio>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "images/push.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln push - copy a local image to a registry

SYNOPSIS
    kiln push [--tls-verify=false] [--cert-dir DIR] [--json] LOCAL [REF]

DESCRIPTION
    Pushes LOCAL - a custom image's version (toolbox:1.2.0, toolbox for its latest), or any
    image in kiln's store (a name such as debian:bookworm, or a digest) - to REF
    (HOST[:PORT]/REPO[:TAG], tag "latest" when none). Without REF, LOCAL itself must name a
    registry host (an image pulled as 127.0.0.1:5000/team/toolbox:1.2.0 goes back there).

    Blobs go first, the manifest last, so the registry never shows a tag whose blobs are
    missing. A blob the registry already has is skipped (HEAD); one that another repository of
    the same registry holds (kiln pulled it from there, or pushed it there) is mounted across
    repositories instead of uploaded; others are uploaded, in one request below 64 MiB and in
    chunks above, resuming an upload that was cut. Credentials: see kiln pull --help.

    On a terminal, stderr shows each blob's bytes, rate and ETA; otherwise only the result is
    printed: "REFERENCE DIGEST".

OPTIONS
)";

// The destination: REF, else LOCAL when it names a registry host.
Result<oci::Reference> Destination(const Args& positional) {
  const std::string& text = positional.size() == 2 ? positional[1] : positional[0];
  ASSIGN_OR_RETURN(oci::Reference parsed, oci::Reference::Parse(text));
  if (positional.size() == 1 && parsed.domain.empty()) {
    return InvalidArgument("kiln push " + text + ": " + text +
                           " names no registry host; give the destination, e.g. kiln push " + text +
                           " 127.0.0.1:5000/" + parsed.path + ":" +
                           (parsed.tag.empty() ? "latest" : parsed.tag));
  }
  return RemoteReference(text);
}

}  // namespace

int PushCommand(App& app, const Args& args) {
  static const std::string help = std::string(kHelp) + kRegistryFlagsHelp + R"(
EXAMPLES
    kiln push toolbox:1.2.0 127.0.0.1:5000/team/toolbox:1.2.0
    kiln push --json 127.0.0.1:5000/team/toolbox:1.2.0
)";
  if (WantsHelp(args, help.c_str())) return 0;
  auto flags = Flags::Parse(args, RegistryFlagSpecs());
  if (!flags.ok()) return Fail(flags.status());
  const Args& positional = flags->positional();
  if (positional.empty() || positional.size() > 2) {
    return Fail(InvalidArgument("usage: kiln push [--tls-verify=false] [--json] LOCAL [REF]"));
  }
  auto dest = Destination(positional);
  if (!dest.ok()) return Fail(dest.status());
  if (Status s = ApplyRegistryFlags(app, *flags, dest->domain); !s.ok()) return Fail(s);
  auto image = ResolveImage(app, positional[0]);
  if (!image.ok()) return Fail(image.status());
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto store = (*engine)->Store();
  if (!store.ok()) return Fail(store.status());
  auto client = (*engine)->Registry(dest->domain);
  if (!client.ok()) return Fail(client.status());
  TransferDisplay display;
  images::PushOptions options;
  options.progress = display.Callback();
  auto origins = (*engine)->Origins();
  if (origins.ok()) options.origins = *origins;
  auto pushed = images::PushImage(**client, **store, image->loaded, *dest, options);
  display.Finish();
  if (!pushed.ok()) return Fail(pushed.status());
  PrintReferenceResult(*flags, dest->ToString(), pushed->digest);
  return 0;
}

}  // namespace kiln::cli
