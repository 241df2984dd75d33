// kiln sandbox create | exec | ls | rm | snapshot: long-lived sandboxes, and images made from
// them while they run (as Oracle makes custom images of running instances, without the
// minutes-long shutdown: the sandbox is frozen only while its changes are captured).
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstdio>
#include <map>

#include "base/clock.h"
#include "base/fd.h"
#include "base/json.h"
#include "base/table.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "jobs/sandboxes.h"
#include "jobs/snapshot_handler.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln sandbox - long-lived sandboxes, and custom images captured from them

SYNOPSIS
    kiln sandbox create IMAGE [--size CPUSxGB] [--name NAME]
                        [--network NET [--alias NAME]... [-p [IP:][HOST:]PORT[/udp]]...]
                                                               prints the sandbox id
    kiln sandbox exec ID -- COMMAND [ARG]...
    kiln sandbox ls [--json]
    kiln sandbox rm ID...
    kiln sandbox snapshot ID IMAGE_NAME [--version N.*] [--wait]

DESCRIPTION
    `create` without --size uses the size a job on that image gets: the config file's
    default_size (2x8 unless set; the config file is --config, $KILN_CONFIG or
    /etc/kiln/config.toml), or the size the image was made on if that is larger.
    --network joins a kiln network (made on first use, removed when its last sandbox goes):
    the sandbox has egress through NAT, reaches the others on it by hostname and --alias, and
    publishes -p ports on the host (no HOST port: a free one; `ls --json` shows it). Without
    it a sandbox has loopback only. Sizes: 1x1, 2x8, 4x16, 8x32, 16x64,
    32x128, 64x256.
    A sandbox made by `create` keeps running (its PID 1 is kiln-init) until `rm`; commands
    run in it with `exec`, whose exit code is the command's. `snapshot` freezes the sandbox
    (cgroup freezer) just while its changes are captured, records them as the next version of
    IMAGE_NAME (see kiln image ls), and lets it run on. One capture per sandbox at a time: a
    second is refused, or with --wait waits its turn.
    Inside every sandbox, `kiln-snapshot IMAGE_NAME [--version N.*]` asks kiln for the same
    capture from a command it runs (through `exec` here; a job's steps in `kiln run`, `kiln hook`
    and `kiln gitlab`), waiting its turn, and prints the version made (IMAGE_NAME:X.Y.Z).
)";

int Create(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--size", "", true},
                                   {"--name", "", true},
                                   {"--network", "", true},
                                   {"--alias", "", true},
                                   {"--publish", "-p", true}});
  if (!flags.ok()) return Fail(flags.status());
  jobs::SandboxNetwork net;
  net.network = flags->Get("--network");
  net.aliases = flags->GetAll("--alias");
  for (const auto& p : flags->GetAll("--publish")) {
    auto port = runtime::ParsePortMapping(p);
    if (!port.ok()) return Fail(port.status());
    net.ports.push_back(*port);
  }
  if (net.network.empty() && (!net.aliases.empty() || !net.ports.empty()))
    return Fail(InvalidArgument("--alias and -p need --network"));
  if (flags->positional().size() != 1)
    return Fail(InvalidArgument("usage: kiln sandbox create IMAGE [--size S]"));
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  // Without --size, the size a job on that image gets: a sandbox always has limits.
  auto id = jobs::CreateSandbox(**engine, flags->positional()[0], flags->Get("--size"),
                                flags->Get("--name"), net);
  if (!id.ok()) return Fail(id.status());
  std::printf("%s\n", id->c_str());
  return 0;
}

int Exec(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() < 2)
    return Fail(InvalidArgument("usage: kiln sandbox exec ID -- COMMAND..."));
  auto rt = app.Runtime();
  if (!rt.ok()) return Fail(rt.status());
  auto box = (*rt)->Attach(flags->positional()[0]);
  if (!box.ok()) return Fail(box.status());
  runtime::ExecSpec e;
  e.args.assign(flags->positional().begin() + 1, flags->positional().end());
  e.on_line = [](const std::string& line, bool err, bool unfinished) {
    std::fprintf(err ? stderr : stdout, unfinished ? "%s" : "%s\n", line.c_str());
    std::fflush(err ? stderr : stdout);
  };
  // kiln-snapshot in the command: `kiln sandbox snapshot` from inside (waits its turn).
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  e.on_snapshot = jobs::SnapshotHandler(**engine, (*box)->id(), [](const std::string& l) {
    std::fprintf(stderr, "kiln: %s\n", l.c_str());
  });
  auto code = (*box)->Exec(e);
  if (!code.ok()) return Fail(code.status());
  return *code;
}

int List(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--json", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  auto rt = app.Runtime();
  if (!rt.ok()) return Fail(rt.status());
  auto all = (*rt)->List();
  if (!all.ok()) return Fail(all.status());
  if (flags->Has("--json")) {
    Json out = Json::array();
    for (const auto& s : *all) {
      Json entry = {{"id", s.id},
                    {"name", s.spec.name},
                    {"state", s.state},
                    {"created", FormatRfc3339(s.created)},
                    {"labels", s.spec.labels}};
      if (!s.spec.network.empty()) {
        entry["network"] = s.spec.network;
        entry["aliases"] = s.spec.aliases;
        auto box = (*rt)->Attach(s.id);  // the address and the host ports it was given
        if (box.ok()) {
          entry["address"] = (*box)->Address();
          Json ports = Json::array();
          for (const auto& p : (*box)->PublishedPorts()) {
            ports.push_back({{"host_ip", p.host_ip},
                             {"host_port", p.host_port},
                             {"container_port", p.container_port},
                             {"protocol", p.protocol}});
          }
          entry["ports"] = ports;
        }
      }
      out.push_back(entry);
    }
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  Table t({"ID", "NAME", "IMAGE", "SIZE", "STATE", "CREATED"});
  for (const auto& s : *all) {
    auto label = [&](const char* k) { return s.spec.labels.count(k) ? s.spec.labels.at(k) : ""; };
    t.Add({s.id, s.spec.name, label("image"), label("size"), s.state, FormatRfc3339(s.created)});
  }
  std::fputs(t.Render().c_str(), stdout);
  return 0;
}

int Remove(App& app, const Args& args) {
  if (args.empty()) return Fail(InvalidArgument("usage: kiln sandbox rm ID..."));
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  for (const auto& id : args) {
    auto removed = jobs::RemoveSandbox(**engine, id);
    if (!removed.ok()) return Fail(removed.status());
    std::printf("removed %s\n", removed->c_str());
  }
  return 0;
}

}  // namespace

int SandboxSnapshot(App& app, const Args& args);

int SandboxCommand(App& app, const Args& args) {
  if (args.empty() || (WantsHelp(Args(args.begin(), args.begin() + 1), kHelp)))
    return args.empty() ? (std::fputs(kHelp, stderr), 2) : 0;
  static const std::map<std::string, int (*)(App&, const Args&)> kSub = {
      {"create", Create}, {"exec", Exec}, {"ls", List},
      {"list", List},     {"rm", Remove}, {"snapshot", SandboxSnapshot}};
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) return Fail(InvalidArgument("unknown command: kiln sandbox " + args[0]));
  Args rest(args.begin() + 1, args.end());
  if (args[0] != "exec" && WantsHelp(rest, kHelp)) return 0;
  return it->second(app, rest);
}

}  // namespace kiln::cli
