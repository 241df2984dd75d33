#include "jobs/sandboxes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd.h"
#include "base/fs.h"
#include "base/log.h"
#include "images/publish.h"
#include "jobs/pool_service.h"
#include "jobs/sandbox_plan.h"

namespace kiln::jobs {
namespace {

// The image, prepared, and the size a sandbox of it gets; the spec as sandbox_plan.h makes it.
struct Planned {
  images::Image image;
  runtime::SandboxSpec spec;
};

Result<Planned> Plan(Engine& engine, const std::string& ref, const std::string& size,
                     const std::string& name, bool persistent, const std::string& network = "") {
  Planned p;
  ASSIGN_OR_RETURN(images::Resolver * resolver, engine.Resolver());
  ASSIGN_OR_RETURN(p.image, resolver->Prepare(ref, [](const std::string& l) { LogInfo(l); }));
  SandboxRequest r;
  r.image = &p.image;
  ASSIGN_OR_RETURN(r.size, engine.SizeFor(size, p.image.generated_on_size()));
  r.name = name;
  r.persistent = persistent;
  r.network = network;
  p.spec = MakeSandboxSpec(r);
  return p;
}

std::string LockPath(Engine& engine, const std::string& id) {
  return JoinPath(engine.state_dir(), "locks/snapshot-" + id + ".lock");
}

// The capture lock of sandbox `id` (held while the fd lives).
Result<UniqueFd> LockCapture(Engine& engine, const std::string& id, bool wait) {
  RETURN_IF_ERROR(MakeDirs(JoinPath(engine.state_dir(), "locks"), 0700));
  ASSIGN_OR_RETURN(UniqueFd lock, Open(LockPath(engine, id), O_RDWR | O_CREAT, 0600));
  while (::flock(lock.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return FailedPrecondition("a snapshot of sandbox " + id +
                                " is already being taken; retry, or pass --wait to queue");
    }
    return ErrnoStatus("lock " + LockPath(engine, id), errno);
  }
  return lock;
}

}  // namespace

Result<std::string> CreateSandbox(Engine& engine, const std::string& image, const std::string& size,
                                  const std::string& name, const SandboxNetwork& net) {
  ASSIGN_OR_RETURN(Planned p, Plan(engine, image, size, name.empty() ? "" : name, true));
  p.spec.network = net.network;
  p.spec.aliases = net.aliases;
  p.spec.ports = net.ports;
  if (name.empty()) p.spec.name = p.image.ref;
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine.Runtime());
  ASSIGN_OR_RETURN(auto box, rt->Create(p.spec));
  return box->id();
}

Result<std::string> RemoveSandbox(Engine& engine, const std::string& id) {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine.Runtime());
  ASSIGN_OR_RETURN(auto box, rt->Attach(id));
  RETURN_IF_ERROR(box->Destroy());
  (void)::unlink(LockPath(engine, box->id()).c_str());
  return box->id();
}

Result<SandboxCapture> SnapshotSandbox(Engine& engine, const std::string& id,
                                       const std::string& image_name,
                                       const catalog::VersionSpec& version, bool wait) {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine.Runtime());
  ASSIGN_OR_RETURN(auto box, rt->Attach(id));
  ASSIGN_OR_RETURN(auto infos, rt->List());
  runtime::SandboxInfo info;
  for (const auto& i : infos) {
    if (i.id == box->id()) info = i;
  }
  ASSIGN_OR_RETURN(UniqueFd lock, LockCapture(engine, box->id(), wait));
  ASSIGN_OR_RETURN(content::ImageStore * store, engine.Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine.Catalog());
  SandboxOrigin origin = OriginOf(info.spec);
  snapshot::CaptureRequest req;
  req.upper_dir = box->UpperDir();
  Result<content::LoadedImage> base = store->Load(origin.base_digest);
  if (origin.base_digest.empty() && !origin.image.empty()) {
    // Started on a pending version (no digest yet): that version, made whole, is the base.
    auto whole = engine.ResolveImage(origin.image);
    base = whole.ok() ? Result<content::LoadedImage>(whole->loaded) : whole.status();
  }
  if (!base.ok()) return base.status().WithContext("base image of " + box->id());
  req.base = *base;
  req.runner_size = origin.size;
  req.source = "sandbox " + box->id();
  req.created = engine.clock().NowUnix();
  req.on_progress = [](const std::string& l) { LogInfo(l); };
  if (info.state == "paused") {
    // We hold the capture lock, so a paused sandbox is one a killed capture left frozen.
    LogInfo("sandbox " + box->id() +
            " was left frozen by an interrupted snapshot; thawing it first");
    RETURN_IF_ERROR(box->Thaw());
  }
  SandboxCapture out;
  Stopwatch frozen;
  RETURN_IF_ERROR(box->Freeze());
  auto ingest = store->BeginIngest();  // a failed pull meanwhile leaves its blobs alone
  auto captured = snapshot::Capture(req, *ingest);
  ingest.reset();
  Status thawed = box->Thaw();
  out.frozen_seconds = frozen.Seconds();
  if (!captured.ok()) return captured.status().WithContext("snapshot " + box->id());
  if (!thawed.ok()) LogWarn("sandbox stays frozen: " + thawed.message());
  out.captured = *captured;
  images::Publication p{image_name, version, origin.size, req.source, req.created};
  ASSIGN_OR_RETURN(out.version, images::RecordVersion(*cat, p, out.captured));
  return out;
}

Result<PoolFill> FillPool(Engine& engine, const std::string& image, const std::string& size,
                          int count) {
  // On the jobs' network, as the jobs that are to take them ask (the pool key includes it).
  ASSIGN_OR_RETURN(Planned p, Plan(engine, image, size, "", false, engine.options().job_network));
  ASSIGN_OR_RETURN(int started, engine.pool().Fill(p.spec, count));
  return PoolFill{p.spec.name, started};
}

}  // namespace kiln::jobs
