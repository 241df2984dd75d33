// kiln sandbox snapshot ID NAME: flags → jobs::SnapshotSandbox → print.
#include <cstdio>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "jobs/sandboxes.h"
#include "oci/reference.h"

namespace kiln::cli {

int SandboxSnapshot(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--version", "", true}, {"--wait", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2)
    return Fail(InvalidArgument("usage: kiln sandbox snapshot ID IMAGE_NAME"));
  auto spec = catalog::ParseVersionSpec(flags->Get("--version"));
  if (!spec.ok()) return Fail(spec.status());
  const std::string& name = flags->positional()[1];
  if (Status valid = oci::ValidateRepositoryName(name); !valid.ok()) return Fail(valid);
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto r =
      jobs::SnapshotSandbox(**engine, flags->positional()[0], name, *spec, flags->Has("--wait"));
  if (!r.ok()) return Fail(r.status());
  std::printf("%s:%s %s (layer %s, frozen %s)\n", name.c_str(),
              r->version.version.ToString().c_str(), r->version.manifest.str().c_str(),
              FormatBytes(r->captured.layer.descriptor.size).c_str(),
              FormatDuration(r->frozen_seconds).c_str());
  return 0;
}

}  // namespace kiln::cli
