// kiln sandbox snapshot ID NAME: freeze, capture, record, thaw.
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/file.h>

#include "base/clock.h"
#include "base/fd.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "oci/reference.h"
#include "snapshot/capture.h"

namespace kiln::cli {

int SandboxSnapshot(App& app, const Args& args) {
  auto flags = Flags::Parse(args, {{"--version", "", true}, {"--wait", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2) return Fail(InvalidArgument("usage: kiln sandbox snapshot ID IMAGE_NAME"));
  auto spec = catalog::ParseVersionSpec(flags->Get("--version"));
  if (!spec.ok()) return Fail(spec.status());
  if (Status name = oci::ValidateRepositoryName(flags->positional()[1]); !name.ok()) return Fail(name);
  auto rt = app.Runtime();
  if (!rt.ok()) return Fail(rt.status());
  auto box = (*rt)->Attach(flags->positional()[0]);
  if (!box.ok()) return Fail(box.status());
  auto infos = (*rt)->List();
  if (!infos.ok()) return Fail(infos.status());
  runtime::SandboxInfo info;
  for (const auto& i : *infos) if (i.id == (*box)->id()) info = i;
  // One capture per sandbox at a time.
  auto lock = Open(app.state_dir() + "/sandboxes/" + (*box)->id() + "/snapshot.lock", O_RDWR | O_CREAT, 0600);
  if (!lock.ok()) return Fail(lock.status());
  if (::flock(lock->get(), LOCK_EX | (flags->Has("--wait") ? 0 : LOCK_NB)) != 0) {
    return Fail(FailedPrecondition("a snapshot of sandbox " + (*box)->id() +
                                   " is already being taken; retry, or pass --wait to queue"));
  }
  auto store = app.Store();
  auto cat = app.Catalog();
  if (!store.ok() || !cat.ok()) return Fail(!store.ok() ? store.status() : cat.status());
  snapshot::CaptureRequest req;
  req.upper_dir = (*box)->UpperDir();
  auto base = (*store)->Load(info.spec.labels["digest"]);
  if (!base.ok()) return Fail(base.status().WithContext("base image of " + (*box)->id()));
  req.base = *base;
  req.image_name = flags->positional()[1];
  req.version = *spec;
  req.runner_size = info.spec.labels.count("size") ? info.spec.labels["size"] : "";
  req.source = "sandbox " + (*box)->id();
  req.on_progress = [](const std::string& l) { LogInfo(l); };
  if (info.state == "paused") {
    // We hold the capture lock, so a paused sandbox is one a killed capture left frozen.
    LogInfo("sandbox " + (*box)->id() + " was left frozen by an interrupted snapshot; thawing it first");
    Status t = (*box)->Thaw();
    if (!t.ok()) return Fail(t);
  }
  Stopwatch frozen;
  Status s = (*box)->Freeze();
  if (!s.ok()) return Fail(s);
  auto r = snapshot::Capture(req, **store, **cat);
  Status thawed = (*box)->Thaw();
  double seconds = frozen.Seconds();
  if (!r.ok()) return Fail(r.status().WithContext("snapshot " + (*box)->id()));
  if (!thawed.ok()) LogWarn("sandbox stays frozen: " + thawed.message());
  std::printf("%s:%s %s (layer %s, frozen %s)\n", req.image_name.c_str(),
              r->version.version.ToString().c_str(), r->version.manifest.str().c_str(),
              FormatBytes(r->layer.descriptor.size).c_str(), FormatDuration(seconds).c_str());
  return 0;
}

}  // namespace kiln::cli
