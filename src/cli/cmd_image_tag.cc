// kiln image tag SRC DST
#include <cstdio>

#include "cli/commands.h"
#include "cli/flags.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln image tag - give an image another name

SYNOPSIS
    kiln image tag SRC DST

DESCRIPTION
    Names the image SRC (a custom image's version such as toolbox:1.2.0, an image name, or a
    digest) DST as well, in kiln's store (DST "repo" means "repo:latest"; an existing DST is
    moved). No blob is copied. DST may name a registry, e.g. 127.0.0.1:5000/team/toolbox:1.2.0,
    for a later `kiln push DST`.

EXAMPLES
    kiln image tag toolbox:1.2.0 127.0.0.1:5000/team/toolbox:1.2.0
)";

}  // namespace

int ImageTagCommand(App& app, const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  auto flags = Flags::Parse(args, {});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2) return Fail(InvalidArgument("usage: kiln image tag SRC DST"));
  auto dst = content::NormalizeImageName(flags->positional()[1]);
  if (!dst.ok()) return Fail(dst.status());
  auto image = ResolveImage(app, flags->positional()[0]);
  if (!image.ok()) return Fail(image.status());
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());
  oci::Descriptor manifest = image->loaded.descriptor;
  manifest.annotations.clear();
  if (Status s = (*store)->Tag(*dst, manifest); !s.ok()) return Fail(s.WithContext("tag " + *dst));
  std::printf("%s %s\n", dst->c_str(), manifest.digest.str().c_str());
  return 0;
}

}  // namespace kiln::cli
