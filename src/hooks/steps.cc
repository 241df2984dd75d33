// run_script_step, run_container_step and cleanup_job (hook.h).
#include "base/fs.h"
#include "hooks/hook.h"
#include "jobs/interrupt_relay.h"

namespace kiln::hooks {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string EnvValue(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& kv : env) {
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 &&
        kv[name.size()] == '=') {
      return kv.substr(name.size() + 1);
    }
  }
  return "";
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// The state's container id, when given, must be the pod's job sandbox.
Status CheckState(const HookInput& input, const jobs::Pod& pod) {
  auto it = input.state.find("container");
  if (it == input.state.end() || !it->is_string()) return Status::Ok();
  if (!pod.state().job || pod.state().job->id != it->get<std::string>()) {
    return FailedPrecondition("the job sandbox " + it->get<std::string>().substr(0, 64) +
                              " of the state is not this runner's (was it cleaned up?)");
  }
  return Status::Ok();
}

}  // namespace

Result<int> RunScriptStep(const HookContext& ctx, const HookInput& input) {
  ASSIGN_OR_RETURN(ScriptStepArgs args, ParseScriptStepArgs(input.args));
  ASSIGN_OR_RETURN(std::string key, PodKeyFor(ctx));
  ASSIGN_OR_RETURN(std::vector<std::string> env, LoadJobEnv(ctx, key));
  ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(*ctx.engine, key));
  RETURN_IF_ERROR(CheckState(input, pod));
  ASSIGN_OR_RETURN(auto sandbox, pod.JobSandbox());
  std::vector<std::string> step_env;
  for (const auto& [k, v] : args.env) step_env.push_back(k + "=" + v);
  env = MergeEnv(std::move(env), step_env);
  if (!args.prepend_path.empty()) {
    std::string base = EnvValue(env, "PATH");
    env = MergeEnv(std::move(env), {"PATH=" + Join(args.prepend_path, ":") + ":" +
                                    (base.empty() ? kDefaultPath : base)});
  }
  runtime::ExecSpec spec;
  spec.args = {args.entry_point};
  spec.args.insert(spec.args.end(), args.entry_point_args.begin(), args.entry_point_args.end());
  spec.env = std::move(env);
  spec.cwd = args.working_directory;
  spec.on_line = ctx.output;
  spec.on_snapshot = SnapshotHandlerFor(ctx, sandbox->id());
  Result<int> code = InvalidArgument("unset");
  {
    jobs::InterruptRelay relay(ctx.interrupts, sandbox.get());
    code = sandbox->Exec(spec);
  }
  if (!code.ok()) return code.status().WithContext("run " + args.entry_point);
  return *code;
}

Result<int> RunContainerStep(const HookContext& ctx, const HookInput& input) {
  ASSIGN_OR_RETURN(ContainerInfo info, ParseContainerStepArgs(input.args));
  ASSIGN_OR_RETURN(std::string key, PodKeyFor(ctx));
  if (!info.dockerfile.empty()) {
    ASSIGN_OR_RETURN(info.image, BuildStepImage(ctx, info.dockerfile));
    info.registry.reset();
  }
  ASSIGN_OR_RETURN(jobs::ContainerRequest request, ToRequest(ctx, info));
  request.name = "step";
  std::vector<std::string> env = {"PATH=" + std::string(kDefaultPath)};
  if (auto image = ctx.engine->ResolveImage(request.image); image.ok()) {
    env = image->config().env;
  }
  env = MergeEnv(std::move(env), request.env);
  ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(*ctx.engine, key));
  RETURN_IF_ERROR(CheckState(input, pod));
  // No prepared pod (a docker action in a job without `container:`): the step's own network,
  // volumes and lock go with it.
  bool own_pod = !PathExists(JoinPath(jobs::PodsDir(*ctx.engine), key + ".json"));
  runtime::ExecSpec exec;
  exec.env = std::move(env);
  exec.cwd = request.workdir;
  exec.on_line = ctx.output;
  // An interrupt reaches the step's processes; the step's sandbox is removed as always.
  auto code = pod.RunContainer(request, exec, ctx.interrupts);
  if (own_pod) {
    Status removed = pod.Remove();
    if (!removed.ok() && ctx.log) ctx.log("warning: " + removed.ToString());
  }
  if (!code.ok()) return code.status().WithContext("container step " + info.image);
  return *code;
}

Result<int> CleanupJob(const HookContext& ctx, const HookInput&) {
  ASSIGN_OR_RETURN(std::string key, PodKeyFor(ctx));
  {
    ASSIGN_OR_RETURN(jobs::Pod pod, jobs::Pod::Open(*ctx.engine, key));
    RETURN_IF_ERROR_CTX(pod.Remove(), "remove the job's sandboxes");
  }
  Status removed = RemoveTree(JobEnvPath(ctx, key));
  if (!removed.ok() && removed.code() != Code::kNotFound) return removed;
  return 0;
}

}  // namespace kiln::hooks
