#include "jobs/pod.h"

#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/log.h"
#include "jobs/sandbox_plan.h"

namespace kiln::jobs {
namespace {

constexpr const char* kLabelPod = "pod";
constexpr const char* kLabelRole = "pod-role";

// A name as a file name or hostname part: letters, digits, '-', '_' and '.' kept, the rest '-'.
std::string Tame(const std::string& name, bool hostname) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
              (!hostname && c == '_');
    out += ok ? c : '-';
  }
  if (out.empty() || out[0] == '.' || out[0] == '-') out = "x" + out;
  return out.substr(0, 63);
}

bool IsVolumeName(const std::string& s) {
  return !s.empty() && s[0] != '/' && s[0] != '.' && Tame(s, false) == s;
}

// A service's main process, as docker makes it: an entrypoint given replaces the image's and
// drops its Cmd; args given replace the Cmd.
std::vector<std::string> MainProcess(const ContainerRequest& r, const oci::ImageConfig& config) {
  std::vector<std::string> argv = r.entrypoint ? *r.entrypoint : config.entrypoint;
  std::vector<std::string> args = r.args         ? *r.args
                                  : r.entrypoint ? std::vector<std::string>{}
                                                 : config.cmd;
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The image's Healthcheck in pod.h's terms; nullopt when it has none (or says NONE).
std::optional<HealthCheck> ImageHealth(const oci::ImageConfig& config) {
  if (!config.healthcheck || config.healthcheck->test.empty() ||
      config.healthcheck->test[0] == "NONE") {
    return std::nullopt;
  }
  const oci::HealthConfig& h = *config.healthcheck;
  HealthCheck out;
  out.test = h.test;
  if (h.interval_ns > 0) out.interval_seconds = h.interval_ns / 1e9;
  if (h.timeout_ns > 0) out.timeout_seconds = h.timeout_ns / 1e9;
  if (h.start_period_ns > 0) out.start_period_seconds = h.start_period_ns / 1e9;
  if (h.retries > 0) out.retries = h.retries;
  return out;
}

std::string VolumesDir(Engine& e, const std::string& key) {
  return JoinPath(PodsDir(e), key + ".volumes");
}
std::string LogsDir(Engine& e, const std::string& key) {
  return JoinPath(PodsDir(e), key + ".logs");
}

}  // namespace

Result<runtime::SandboxSpec> Pod::Plan(const ContainerRequest& r, const images::Image& image,
                                       bool persistent) {
  SandboxRequest sr;
  sr.image = &image;
  ASSIGN_OR_RETURN(sr.size, engine_->SizeFor(r.size, image.generated_on_size()));
  sr.name = state_.key + "/" + r.name;
  sr.persistent = persistent;
  sr.env = r.env;
  sr.workdir = r.workdir;
  sr.user = r.user;
  sr.hostname = r.hostname.empty() ? Tame(r.name, true) : r.hostname;
  sr.network = state_.network;
  sr.aliases = r.aliases;
  sr.ports = r.ports;
  for (const auto& v : r.mounts) {
    if (v.destination.empty() || v.destination[0] != '/')
      return InvalidArgument("mount of " + v.source + ": the destination must be absolute");
    runtime::BindMount m{v.source, v.destination, v.read_only};
    if (v.source.empty() || v.source[0] != '/') {
      if (!IsVolumeName(v.source)) {
        return InvalidArgument("volume \"" + v.source +
                               "\": a name (letters, digits, '-', '_', '.') or an absolute path");
      }
      m.source = JoinPath(VolumesDir(*engine_, state_.key), v.source);
      RETURN_IF_ERROR(MakeDirs(m.source, 0755));
    } else if (!PathExists(v.source)) {
      return NotFound("mount source " + v.source + " does not exist");
    }
    sr.mounts.push_back(m);
  }
  runtime::SandboxSpec spec = MakeSandboxSpec(sr);
  spec.labels[kLabelPod] = state_.key;
  return spec;
}

Result<PodContainer> Pod::Start(const ContainerRequest& r, bool job,
                                const std::function<void(const std::string&)>& log) {
  if (r.name.empty()) return InvalidArgument("a pod container needs a name");
  bool taken = state_.job && state_.job->name == r.name;
  for (const auto& s : state_.services) taken |= s.name == r.name;
  if (taken) return AlreadyExists("pod " + state_.key + " has a container named " + r.name);
  ASSIGN_OR_RETURN(images::Image image, PrepareImage(r, log));
  ASSIGN_OR_RETURN(runtime::SandboxSpec spec, Plan(r, image, true));
  spec.labels[kLabelRole] = job ? "job" : "service";
  std::vector<std::string> main = MainProcess(r, image.config());
  if (!job && main.empty()) {
    return InvalidArgument("service " + r.name + ": no entrypoint or command, and image " +
                           image.ref + " has none");
  }
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  ASSIGN_OR_RETURN(auto box, rt->Create(spec));
  PodContainer c{box->id(), r.name, r.aliases, box->PublishedPorts(), image.ref};
  if (c.ports.empty()) c.ports = r.ports;
  Status started = Status::Ok();
  if (!job) {
    started = MakeDirs(LogsDir(*engine_, state_.key), 0700);
    runtime::ExecSpec main_process;
    main_process.args = main;
    std::string log_file = JoinPath(LogsDir(*engine_, state_.key), Tame(r.name, false) + ".log");
    if (started.ok()) started = box->Spawn(main_process, log_file);
  }
  if (job) {
    state_.job = c;
  } else if (started.ok()) {
    state_.services.push_back(c);
    std::optional<HealthCheck> health = r.health ? r.health : ImageHealth(image.config());
    if (health && !health->test.empty() && health->test[0] != "NONE") health_[r.name] = *health;
  }
  if (started.ok()) started = Save();
  if (!started.ok()) {
    (void)box->Destroy();
    if (job) state_.job.reset();
    if (!job && !state_.services.empty() && state_.services.back().id == c.id)
      state_.services.pop_back();
    health_.erase(r.name);
    return started.WithContext((job ? "job " : "service ") + r.name);
  }
  if (log) log((job ? "job sandbox " : "service ") + r.name + " started (" + image.ref + ")");
  return c;
}

Result<PodContainer> Pod::AddService(const ContainerRequest& request,
                                     const std::function<void(const std::string&)>& log) {
  return Start(request, false, log);
}

Result<PodContainer> Pod::AddJob(const ContainerRequest& request,
                                 const std::function<void(const std::string&)>& log) {
  if (state_.job) return AlreadyExists("pod " + state_.key + " already has its job sandbox");
  return Start(request, true, log);
}

Result<std::unique_ptr<runtime::Sandbox>> Pod::JobSandbox() {
  if (!state_.job) return FailedPrecondition("pod " + state_.key + " has no job sandbox");
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  auto box = rt->Attach(state_.job->id);
  if (!box.ok()) return box.status().WithContext("job sandbox of pod " + state_.key);
  return box;
}

Result<int> Pod::RunContainer(const ContainerRequest& request, const runtime::ExecSpec& exec) {
  ASSIGN_OR_RETURN(images::Image image, PrepareImage(request, nullptr));
  ASSIGN_OR_RETURN(runtime::SandboxSpec spec, Plan(request, image, false));
  std::vector<std::string> main = MainProcess(request, image.config());
  if (main.empty()) {
    return InvalidArgument("container " + request.name + ": no entrypoint or command, and image " +
                           image.ref + " has none");
  }
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  ASSIGN_OR_RETURN(auto box, rt->Create(spec));
  runtime::ExecSpec e = exec;
  e.args = main;
  auto code = box->Exec(e);
  Status destroyed = box->Destroy();
  if (!code.ok()) return code.status().WithContext("container " + request.name);
  if (!destroyed.ok()) LogWarn("container " + request.name + ": " + destroyed.message());
  return code;
}

Status Pod::Remove() {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  std::vector<std::string> ids;
  if (state_.job) ids.push_back(state_.job->id);
  for (const auto& s : state_.services) ids.push_back(s.id);
  // And any the state file missed (a call killed between Create and Save).
  ASSIGN_OR_RETURN(auto infos, rt->List());
  for (const auto& i : infos) {
    auto it = i.spec.labels.find(kLabelPod);
    if (it != i.spec.labels.end() && it->second == state_.key) ids.push_back(i.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  Status first = Status::Ok();
  for (const auto& id : ids) {
    auto box = rt->Attach(id);
    Status s = box.ok() ? (*box)->Destroy() : box.status();
    if (!s.ok() && s.code() != Code::kNotFound && first.ok())
      first = s.WithContext("sandbox " + id);
  }
  for (const auto& dir : {VolumesDir(*engine_, state_.key), LogsDir(*engine_, state_.key)}) {
    Status s = RemoveTree(dir);
    if (!s.ok() && first.ok()) first = s;
  }
  std::string base = JoinPath(PodsDir(*engine_), state_.key);
  (void)::unlink((base + ".json").c_str());
  (void)::unlink((base + ".lock").c_str());  // Open re-locks when the file it locked went
  state_.job.reset();
  state_.services.clear();
  health_.clear();
  return first.WithContext("remove pod " + state_.key);
}

}  // namespace kiln::jobs
