#include "jobs/pod.h"

#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/log.h"
#include "jobs/interrupt_relay.h"
#include "jobs/pod_plan.h"

namespace kiln::jobs {

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
    started = MakeDirs(PodLogsDir(*engine_, state_.key), 0700);
    runtime::ExecSpec main_process;
    main_process.args = main;
    std::string log_file = JoinPath(PodLogsDir(*engine_, state_.key), Tame(r.name, false) + ".log");
    if (started.ok()) started = box->Spawn(main_process, log_file);
  }
  if (job) {
    state_.job = c;
  } else if (started.ok()) {
    state_.services.push_back(c);
    std::optional<HealthCheck> health = r.health ? r.health : ImageHealth(image.config());
    if (health && !health->test.empty() && health->test[0] != "NONE") {
      health_[r.name] = *health;
    } else if (uint16_t port = FirstExposedTcpPort(image.config());
               port && !box->Address().empty()) {
      port_waits_.push_back({r.name, box->id(), port});
    }
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

Result<int> Pod::RunContainer(const ContainerRequest& request, const runtime::ExecSpec& exec,
                              const std::function<int()>& interrupts) {
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
  Result<int> code = InvalidArgument("unset");
  {
    InterruptRelay relay(interrupts, box.get());
    code = box->Exec(e);
  }
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
  for (const auto& dir : {PodVolumesDir(*engine_, state_.key), PodLogsDir(*engine_, state_.key)}) {
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
