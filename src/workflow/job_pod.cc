#include "workflow/job_pod.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.h"
#include "base/fs.h"
#include "images/resolve.h"
#include "jobs/engine.h"
#include "runtime/spec.h"
#include "workflow/container_request.h"

namespace kiln::workflow {
namespace {

constexpr const char* kRunPodPrefix = "run-";  // the keys of kiln run's pods

bool HasExtras(const Container& k) {
  return !k.options.empty() || !k.volumes.empty() || !k.ports.empty() || !k.username.empty() ||
         !k.password.empty();
}

Json PortsJson(const std::vector<runtime::PortMapping>& ports) {
  Json out = Json::object();
  for (const auto& p : ports) out[std::to_string(p.container_port)] = std::to_string(p.host_port);
  return out;
}

// A service's request: the service's name is its name in the pod and its host name on the
// network (a --name or --network-alias option adds another).
Result<jobs::ContainerRequest> ServiceRequest(const Container& k, const std::string& name,
                                              const ExprContext& expr) {
  ASSIGN_OR_RETURN(jobs::ContainerRequest r, MakeContainerRequest(k, name, expr));
  if (r.name != name) r.aliases.push_back(r.name);
  r.name = name;
  r.aliases.insert(r.aliases.begin(), name);
  return r;
}

// --user as uid:gid, from the image's /etc/passwd and /etc/group when given by name (the
// topmost layer that has them).
Result<runtime::User> ResolveJobUser(const images::Image& image, const std::string& spec) {
  Status last = InvalidArgument("no layer to look user \"" + spec + "\" up in");
  for (auto it = image.lower_dirs.rbegin(); it != image.lower_dirs.rend(); ++it) {
    auto u = runtime::ResolveUser(*it, spec);
    if (u.ok()) return u;
    last = u.status();
  }
  return last.WithContext("--user " + spec);
}

// chown -R that never follows a symlink (the job has not run yet: nothing here is its).
Status ChownTree(const std::string& path, const runtime::User& u) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return Status::Ok();
  if (::lchown(path.c_str(), u.uid, u.gid) != 0)
    return Internal("chown " + path + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(path));
  for (const auto& n : names) RETURN_IF_ERROR(ChownTree(JoinPath(path, n), u));
  return Status::Ok();
}

// A non-root --user owns the job's dirs (and its workspace copy; never a --bind checkout) and
// its step files, so its steps can read their scripts and write their command files.
Status GiveDirsToUser(JobContext& ctx, const std::string& spec) {
  if (spec.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(runtime::User u, ResolveJobUser(ctx.image, spec));
  if (u.uid == 0) return Status::Ok();
  ctx.files_owner = {static_cast<int>(u.uid), static_cast<int>(u.gid)};
  for (const char* d : {"temp", "home", "workflow"})
    RETURN_IF_ERROR(ChownTree(ctx.host_dir + "/" + d, u));
  if (!ctx.options->bind_workspace) RETURN_IF_ERROR(ChownTree(ctx.workspace_host, u));
  return Status::Ok();
}

// A registry password is masked in the job's log like a secret, whatever it was written as.
void MaskPassword(JobContext& ctx, const jobs::ContainerRequest& r) {
  if (!r.registry_password.empty()) (void)ctx.commands.masks.Add(r.registry_password);
}

}  // namespace

int SweepOrphanRunPods(jobs::Engine& engine, const std::function<void(const std::string&)>& log) {
  std::string dir = jobs::PodsDir(engine);
  auto names = ListDir(dir);
  if (!names.ok()) return 0;
  int removed = 0;
  for (const auto& n : *names) {
    if (n.rfind(kRunPodPrefix, 0) != 0 || n.size() < 6 || n.substr(n.size() - 5) != ".json")
      continue;
    std::string key = n.substr(0, n.size() - 5);
    {
      auto fd = Open(JoinPath(dir, key + ".lock"), O_RDWR | O_CREAT, 0600);
      if (!fd.ok() || ::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live run's
    }
    auto pod = jobs::Pod::Open(engine, key);
    Status s = pod.ok() ? pod->Remove() : pod.status();
    if (s.ok()) {
      ++removed;
      log("removed pod " + key + " of a kiln run that was killed");
    } else {
      log("⚠️  " + s.message());
    }
  }
  return removed;
}

bool NeedsPod(const Job& job) {
  return !job.services.empty() || (job.container && HasExtras(*job.container));
}

Status JobPod::StartServices(JobContext& ctx) {
  auto log = [&ctx](const std::string& line) { ctx.Print("🧩  " + line); };
  for (const auto& [name, k] : ctx.run->job->services) {
    ASSIGN_OR_RETURN(jobs::ContainerRequest r, ServiceRequest(k, name, ctx.expr));
    MaskPassword(ctx, r);
    ctx.Print("🧩  starting service " + name + " (" + r.image + ")");
    auto started = pod_->AddService(r, log);
    if (!started.ok()) return started.status().WithContext(k.pos.ToString() + ": service " + name);
    services_[name] = {{"id", started->id},
                       {"network", pod_->state().network},
                       {"ports", PortsJson(started->ports)}};
  }
  if (ctx.run->job->services.empty()) return Status::Ok();
  ctx.Print("🧩  waiting for the services' health checks");
  const RunOptions* o = ctx.options;
  Status healthy = pod_->WaitHealthy(log, [o] { return o->interrupts && o->interrupts() > 0; });
  if (!healthy.ok()) return healthy.WithContext("services");
  return Status::Ok();
}

Status JobPod::Start(JobContext& ctx) {
  const Job& job = *ctx.run->job;
  // Short: the pod's network name becomes a bridge's.
  ASSIGN_OR_RETURN(jobs::Pod pod,
                   jobs::Pod::Open(*ctx.engine, kRunPodPrefix + NewStepId().substr(0, 10)));
  pod_.emplace(std::move(pod));
  RETURN_IF_ERROR(StartServices(ctx));
  jobs::ContainerRequest r;
  if (job.container) {
    ASSIGN_OR_RETURN(r, MakeContainerRequest(*job.container, "job", ctx.expr));
    MaskPassword(ctx, r);
  }
  r.name = "job";
  r.image = ctx.target.image;  // as ChooseRunner mapped it
  if (r.size.empty()) r.size = ctx.target.size;
  r.health.reset();  // docker does not wait on the job container's health
  r.entrypoint.reset();
  r.args.reset();
  for (const auto& e : r.env) {
    size_t eq = e.find('=');
    option_env_.push_back({e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1)});
  }
  size_t own = r.mounts.size();
  for (const auto& m : ctx.mounts) r.mounts.push_back({m.source, m.destination, m.read_only});
  // Host dirs the job may write to are stripped of set-id bits after each step, as its
  // workspace is (step_runner.cc); named volumes go with the pod.
  for (size_t i = 0; i < own; ++i) {
    const jobs::VolumeMount& v = r.mounts[i];
    if (!v.read_only && !v.source.empty() && v.source[0] == '/')
      ctx.mounts.push_back({v.source, v.destination, false});
  }
  auto log = [&ctx](const std::string& line) { ctx.Print(line); };
  ASSIGN_OR_RETURN(jobs::PodContainer c, pod_->AddJob(r, log));
  container_ = {{"id", c.id}, {"network", pod_->state().network}, {"ports", PortsJson(c.ports)}};
  ASSIGN_OR_RETURN(sandbox_, pod_->JobSandbox());
  ctx.sandbox = sandbox_.get();
  ASSIGN_OR_RETURN(images::Resolver * resolver, ctx.engine->Resolver());
  ASSIGN_OR_RETURN(ctx.image, resolver->Prepare(c.image_ref, [](const std::string&) {}));
  RETURN_IF_ERROR(GiveDirsToUser(ctx, r.user));
  ASSIGN_OR_RETURN(runtime::Size size, ctx.engine->SizeFor(r.size, ctx.image.generated_on_size()));
  ctx.report.image = ctx.image.ref;
  ctx.report.size = size.name;
  ctx.Print("🚀  Set up job: image " + ctx.image.ref + " (" + ctx.target.via + "), size " +
            size.name + ", on network " + pod_->state().network);
  return Status::Ok();
}

void JobPod::AddContexts(JobContext& ctx) const {
  for (const auto& [k, v] : option_env_) SetEnv(ctx.env, k, v);
  Json& c = ctx.expr.contexts;
  for (const auto& [k, v] : option_env_) c["env"][k] = v;
  c["job"]["services"] = services_;
  c["job"]["container"] = container_;
}

Status JobPod::TearDown() {
  sandbox_.reset();
  if (!pod_) return Status::Ok();
  Status s = pod_->Remove();
  pod_.reset();
  return s;
}

}  // namespace kiln::workflow
