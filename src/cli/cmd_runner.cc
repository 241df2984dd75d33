// kiln runner add | ls | rm: named runners, as GitHub's larger runners pair an image with a size.
#include <cstdio>
#include <map>

#include "base/json.h"
#include "base/table.h"
#include "catalog/version.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "runtime/sandbox.h"
#include "runtime/size.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln runner - runners: a name for `runs-on` that picks a custom image and a size

SYNOPSIS
    kiln runner add NAME --image IMAGE [--version latest|X.Y.Z] [--size CPUSxGB]
                    [--network NET|none]
    kiln runner ls [--json]
    kiln runner rm NAME

DESCRIPTION
    A job with `runs-on: NAME` runs on the runner's image in a sandbox of its size. With
    --version latest (the default) the runner follows each new version of the image; a pinned
    version stays until the runner is changed, and cannot be deleted without --force. A runner
    smaller than the size an image version was generated on is refused when a job starts, as
    GitHub's custom images require. --network: the network its jobs join instead of the
    config's job_network (a kiln network's name, or none for loopback only). Sizes: 2x8, 4x16, 8x32, 16x64, 32x128, 64x256 (CPUs x GB).

EXAMPLES
    kiln runner add big --image ci-tools --size 8x32
    kiln runner add pinned --image ci-tools --version 1.2.0 --size 4x16
)";

int Add(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--image", "", true},
                                   {"--version", "", true},
                                   {"--size", "", true},
                                   {"--network", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1 || !flags->Has("--image")) {
    return Fail(
        InvalidArgument("usage: kiln runner add NAME --image IMAGE [--version V] [--size S]"));
  }
  catalog::RunnerRecord r{flags->positional()[0], flags->Get("--image"),
                          flags->Get("--version", "latest"), flags->Get("--size", "2x8"),
                          flags->Get("--network")};
  if (!r.network.empty() && r.network != "none") {
    Status valid = runtime::ValidateNetworkName(r.network);
    if (!valid.ok()) return Fail(valid.WithContext("--network"));
  }
  auto size = runtime::ParseSize(r.size);
  if (!size.ok()) return Fail(size.status());
  if (r.version != "latest") {
    auto v = catalog::ParseVersion(r.version);
    if (!v.ok()) return Fail(v.status());
  }
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  auto version = (*cat)->Resolve(r.image, r.version);
  if (!version.ok()) return Fail(version.status().WithContext("runner " + r.name));
  Status s = (*cat)->PutRunner(r);
  if (!s.ok()) return Fail(s);
  std::printf("runner %s: %s:%s (now %s), size %s\n", r.name.c_str(), r.image.c_str(),
              r.version.c_str(), version->version.ToString().c_str(), r.size.c_str());
  return 0;
}

int List(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--json", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  auto runners = (*cat)->ListRunners();
  if (!runners.ok()) return Fail(runners.status());
  if (flags->Has("--json")) {
    OrderedJson out = OrderedJson::array();
    for (const auto& r : *runners) {
      out.push_back({{"name", r.name},
                     {"image", r.image},
                     {"version", r.version},
                     {"size", r.size},
                     {"network", r.network}});
    }
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  Table t({"NAME", "IMAGE", "VERSION", "SIZE"});
  for (const auto& r : *runners) t.Add({r.name, r.image, r.version, r.size});
  std::fputs(t.Render().c_str(), stdout);
  return 0;
}

int Remove(App& app, const Args& args) {
  if (args.size() != 1) return Fail(InvalidArgument("usage: kiln runner rm NAME"));
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  Status s = (*cat)->DeleteRunner(args[0]);
  if (!s.ok()) return Fail(s);
  std::printf("removed runner %s\n", args[0].c_str());
  return 0;
}

}  // namespace

int RunnerCommand(App& app, const Args& args) {
  if (args.empty() || WantsHelp(args, kHelp)) {
    if (args.empty()) std::fputs(kHelp, stderr);
    return args.empty() ? 2 : 0;
  }
  static const std::map<std::string, int (*)(App&, const Args&)> kSub = {
      {"add", Add}, {"ls", List}, {"list", List}, {"rm", Remove}};
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) return Fail(InvalidArgument("unknown command: kiln runner " + args[0]));
  return it->second(app, Args(args.begin() + 1, args.end()));
}

}  // namespace kiln::cli
