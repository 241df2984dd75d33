// kiln pool fill | ls | drain: the warm pool of sandboxes started ahead of time.
#include <cstdio>
#include <cstdlib>
#include <map>

#include "base/clock.h"
#include "base/json.h"
#include "base/table.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "jobs/sandboxes.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln pool - sandboxes started ahead of time, so that a job starts without starting one

SYNOPSIS
    kiln pool fill IMAGE [--size CPUSxGB] [--count N]
    kiln pool ls [--json]
    kiln pool drain

DESCRIPTION
    A pooled sandbox is a sandbox of an image and size that already runs, with nothing mounted
    in it and nothing run in it yet. A job of `kiln run` whose image and size match takes one
    (one job per sandbox) instead of starting a sandbox, has its workspace and runner dirs
    mounted into it, and runs its steps there; afterwards it is removed as any job's sandbox.

    fill    starts sandboxes until N (default 1) wait for IMAGE at that size.
    ls      the waiting sandboxes: id, image and size, age.
    drain   removes every waiting sandbox.

    `kiln run --warm-pool N`, or `warm_pool = N` in the runner config, refills the pool of
    each image and size its jobs ran on as the
    run ends (after its summary), so that the next run's jobs find sandboxes waiting. A waiting sandbox costs an overlay
    mount and a sleeping kiln-init; `kiln image rm`/`prune` keep the layers it uses until it is
    drained. A reboot ends waiting sandboxes; the next kiln start removes what is left.

EXAMPLES
    kiln pool fill debian:bookworm --size 2x8 --count 2
    kiln run --warm-pool 1
)";

int Fill(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--size", "", true}, {"--count", "-n", true}});
  if (!flags.ok()) return Fail(flags.status());
  int count = std::atoi(flags->Get("--count", "1").c_str());
  if (count < 0 || count > 64) return Fail(InvalidArgument("--count takes 0 to 64"));
  if (flags->positional().size() != 1) {
    return Fail(InvalidArgument("usage: kiln pool fill IMAGE [--size S] [--count N]"));
  }
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  Stopwatch watch;
  auto filled = jobs::FillPool(**engine, flags->positional()[0], flags->Get("--size"), count);
  if (!filled.ok()) return Fail(filled.status());
  std::printf("%s: %d sandbox(es) started in %s; %d waiting\n", filled->name.c_str(),
              filled->started, FormatDuration(watch.Seconds()).c_str(), count);
  return 0;
}

int List(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--json", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  auto rt = app.Runtime();
  if (!rt.ok()) return Fail(rt.status());
  auto entries = (*rt)->ListPool();
  if (!entries.ok()) return Fail(entries.status());
  int64_t now = Clock::Real()->NowUnix();
  if (flags->Has("--json")) {
    Json out = Json::array();
    for (const auto& e : *entries)
      out.push_back({{"id", e.id}, {"image", e.name}, {"key", e.key}, {"created", e.created}});
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  Table t({"SANDBOX", "IMAGE", "WAITING"});
  for (const auto& e : *entries)
    t.Add({e.id, e.name, FormatDuration(static_cast<double>(now - e.created))});
  std::fputs(t.Render().c_str(), stdout);
  return 0;
}

int Drain(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {});
  if (!flags.ok()) return Fail(flags.status());
  auto rt = app.Runtime();
  if (!rt.ok()) return Fail(rt.status());
  auto drained = (*rt)->DrainPool();
  if (!drained.ok()) return Fail(drained.status());
  std::printf("removed %d waiting sandbox(es)\n", *drained);
  return 0;
}

}  // namespace

int PoolCommand(App& app, const Args& args) {
  if (args.empty() || (WantsHelp(Args(args.begin(), args.begin() + 1), kHelp)))
    return args.empty() ? (std::fputs(kHelp, stderr), 2) : 0;
  static const std::map<std::string, int (*)(App&, const Args&)> kSub = {
      {"fill", Fill}, {"ls", List}, {"list", List}, {"drain", Drain}};
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) return Fail(InvalidArgument("unknown command: kiln pool " + args[0]));
  Args rest(args.begin() + 1, args.end());
  if (WantsHelp(rest, kHelp)) return 0;
  return it->second(app, rest);
}

}  // namespace kiln::cli
