// prepare_job (hook.h): the pod, its job sandbox and services, and the response file.
#include <unistd.h>

#include "base/fs.h"
#include "hooks/hook.h"

namespace kiln::hooks {
namespace {

Json Ports(const std::vector<runtime::PortMapping>& ports) {
  Json j = Json::object();
  for (const auto& p : ports) j[std::to_string(p.container_port)] = std::to_string(p.host_port);
  return j;
}

Json Context(const jobs::PodContainer& c, const std::string& network, const std::string& image) {
  return {{"id", c.id}, {"image", image}, {"network", network}, {"ports", Ports(c.ports)}};
}

// As the reference asks: does any /etc/*release* say ID=…alpine…?
bool IsAlpine(jobs::Pod& pod) {
  auto sandbox = pod.JobSandbox();
  if (!sandbox.ok()) return false;
  runtime::ExecSpec spec;
  spec.args = {"/bin/sh", "-c", "cat /etc/*release* 2>/dev/null | grep -qi '^ID=.*alpine'"};
  spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  spec.on_line = [](const std::string&, bool, bool) {};
  auto code = (*sandbox)->Exec(spec);
  return code.ok() && *code == 0;
}

// The response, written atomically: a temp file beside it, renamed over it.
Status WriteResponse(const std::string& path, const Json& response) {
  if (path.empty() || path[0] != '/')
    return InvalidArgument("responseFile is not an absolute path");
  return WriteFileAtomic(path, DumpJson(response) + "\n", 0644)
      .WithContext("write the response file " + path);
}

Result<Json> Prepare(const HookContext& ctx, const PrepareJobArgs& args, jobs::Pod& pod,
                     const std::string& key) {
  Json state = Json::object(), context = Json::object();
  auto log = [&](const std::string& m) {
    if (ctx.log) ctx.log(m);
  };
  std::vector<std::pair<jobs::PodContainer, std::string>> made;  // container, image as asked
  if (args.container) {
    ASSIGN_OR_RETURN(jobs::ContainerRequest request, ToRequest(ctx, *args.container));
    request.name = request.name.empty() ? "job" : request.name;
    // workingDirectory is the steps' (the reference does not pass it to `docker create`).
    if (request.workdir == args.container->working_directory) request.workdir.clear();
    auto job = pod.AddJob(request, log);
    if (!job.ok()) return job.status().WithContext("job container " + args.container->image);
    ASSIGN_OR_RETURN(images::Image image, ctx.engine->ResolveImage(job->image_ref));
    RETURN_IF_ERROR(SaveJobEnv(ctx, key, MergeEnv(image.config().env, request.env)));
    state["container"] = job->id;
    context["container"] = Context(*job, pod.state().network, args.container->image);
  }
  for (const auto& service : args.services) {
    ASSIGN_OR_RETURN(jobs::ContainerRequest request, ToRequest(ctx, service));
    auto added = pod.AddService(request, log);
    if (!added.ok()) return added.status().WithContext("service " + service.context_name);
    Json c = Context(*added, pod.state().network, service.image);
    c["contextName"] = service.context_name;
    state["services"].push_back(added->id);
    context["services"].push_back(c);
  }
  // An interrupt (the runner cancels the job) ends the wait; PrepareJob then removes the pod.
  RETURN_IF_ERROR(pod.WaitHealthy(log, [&ctx] { return ctx.interrupts && ctx.interrupts() > 0; }));
  // The network is known once the first sandbox joined it; fill it in where it was empty.
  state["network"] = pod.state().network;
  if (context.contains("container")) context["container"]["network"] = pod.state().network;
  if (context.contains("services")) {
    for (auto& s : context["services"]) s["network"] = pod.state().network;
  }
  bool alpine = args.container ? IsAlpine(pod) : false;
  return Json{{"state", state}, {"context", context}, {"isAlpine", alpine}};
}

}  // namespace

Result<int> PrepareJob(const HookContext& ctx, const HookInput& input) {
  ASSIGN_OR_RETURN(PrepareJobArgs args, ParsePrepareJobArgs(input.args));
  ASSIGN_OR_RETURN(std::string key, PodKeyFor(ctx));
  // What an earlier job of this runner left (a runner killed before cleanup_job).
  RETURN_IF_ERROR(CleanupJob(ctx, input).status());
  if (!args.container && args.services.empty()) {
    if (ctx.log) ctx.log("no job container and no services: nothing to prepare");
    return 0;
  }
  // The response file's dir must be writable before anything starts.
  std::string dir = input.response_file.substr(0, input.response_file.rfind('/'));
  if (input.response_file.empty() || ::access(dir.empty() ? "/" : dir.c_str(), W_OK) != 0) {
    return InvalidArgument("responseFile " + input.response_file +
                           ": its directory is not writable");
  }
  Result<Json> response = InvalidArgument("unset");
  {
    ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(*ctx.engine, key));
    response = Prepare(ctx, args, pod, key);
    if (response.ok()) {
      Status written = WriteResponse(input.response_file, *response);
      if (!written.ok()) response = written;
    }
    if (response.ok()) return 0;
    Status removed = pod.Remove();
    if (!removed.ok() && ctx.log)
      ctx.log("warning: clean-up after the failure: " + removed.ToString());
  }
  (void)RemoveTree(JobEnvPath(ctx, key));
  return response.status();
}

}  // namespace kiln::hooks
