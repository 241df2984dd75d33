// Docker actions (runs.using: docker) and `uses: docker://IMAGE` (action_runner.h): a sandbox
// of their own, made from the action's image, that RunStep runs the entrypoint in.
#include "build/build.h"
#include "jobs/session.h"
#include "workflow/action_runner.h"
#include "workflow/builtin_safe_fs.h"

namespace kiln::workflow {
namespace {

// The image to run: docker://IMAGE (a -P mapping of that name wins, as for a job's
// container), or the action's Dockerfile built now (cached by build::Build).
Result<std::string> ActionImage(JobContext& ctx, const Step& step, const ResolvedAction& a) {
  std::string image = a.docker_image;
  if (image.empty() && a.action.image.rfind("docker://", 0) == 0) image = a.action.image.substr(9);
  if (!image.empty()) {
    const auto& overrides = ctx.options->runners.overrides;
    auto it = overrides.find(image);
    return it != overrides.end() ? it->second : image;
  }
  if (!RealPathWithin(a.host_dir, a.host_dir + "/" + a.action.image)) {
    return InvalidArgument(step.uses_pos.ToString() + ": action " + step.uses + ": its image " +
                           a.action.image + " is not a Dockerfile inside the action's directory");
  }
  build::BuildRequest req;
  req.dockerfile = a.host_dir + "/" + a.action.image;
  req.context_dir = a.host_dir;
  req.log = [&ctx](const std::string& l) { ctx.Print("  " + l); };
  auto built = build::Build(*ctx.engine, req);
  if (!built.ok()) {
    return Status(built.status().code(), step.uses_pos.ToString() + ": building the image of " +
                                             step.uses + " (" + req.dockerfile +
                                             "): " + built.status().message());
  }
  return built->reference;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? "" : it->second;
}

// Entrypoint and arguments, as `docker run [--entrypoint E] IMAGE ARGS...` would run them.
Result<std::vector<std::string>> Command(JobContext& ctx, const ResolvedAction& a,
                                         const std::map<std::string, std::string>& inputs,
                                         ActionPhase phase, const oci::ImageConfig& config) {
  std::string entry;
  std::vector<std::string> args;
  if (!a.docker_image.empty()) {
    entry = Get(inputs, "entrypoint");
    args = SplitArgs(Get(inputs, "args"));
  } else {
    entry = phase == ActionPhase::kPre    ? a.action.pre_entrypoint
            : phase == ActionPhase::kPost ? a.action.post_entrypoint
                                          : a.action.entrypoint;
    Json saved = ctx.expr.contexts["inputs"];
    ctx.expr.contexts["inputs"] = Json::object();
    for (const auto& [k, v] : inputs) ctx.expr.contexts["inputs"][k] = v;
    Status st;
    for (const auto& arg : a.action.args) {
      auto v = Interpolate(arg, ctx.expr);
      if (!v.ok()) st = v.status().WithContext("args");
      if (v.ok()) args.push_back(*v);
    }
    ctx.expr.contexts["inputs"] = saved;
    RETURN_IF_ERROR(st);
  }
  std::vector<std::string> cmd =
      entry.empty() ? config.entrypoint : std::vector<std::string>{entry};
  if (args.empty() && entry.empty()) args = config.cmd;  // --entrypoint resets CMD, as docker's
  cmd.insert(cmd.end(), args.begin(), args.end());
  if (cmd.empty())
    return FailedPrecondition(
        "the image has no ENTRYPOINT or CMD and the action "
        "gives no entrypoint or args: nothing to run");
  return cmd;
}

}  // namespace

std::vector<std::string> SplitArgs(const std::string& s) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : s) {
    if (quote != 0) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

Result<ActionExec> DockerExec(JobContext& ctx, const Step& step, const ResolvedAction& a,
                              const std::map<std::string, std::string>& inputs, ActionPhase phase) {
  if (ctx.engine == nullptr) return FailedPrecondition("no engine to run a Docker action on");
  ASSIGN_OR_RETURN(std::string image, ActionImage(ctx, step, a));
  jobs::JobRequest req;
  req.name = ctx.prefix + step.uses;
  req.image = image;
  req.size = ctx.target.size;
  req.network = ctx.target.network;
  req.mounts = ctx.mounts;
  req.source = "docker action " + step.uses;
  req.log = [&ctx](const std::string& l) { ctx.Print(l); };
  req.refill_pool = false;
  auto session = std::make_shared<jobs::JobSession>(*ctx.engine, std::move(req));
  Status prepared = session->PrepareSandbox();
  if (!prepared.ok()) {
    return Status(prepared.code(), step.uses_pos.ToString() + ": the image " + image + " of " +
                                       step.uses + ": " + prepared.message());
  }
  const oci::ImageConfig& config = session->image().config();
  ActionExec ex;
  ex.exec = true;
  ASSIGN_OR_RETURN(ex.args, Command(ctx, a, inputs, phase, config));
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : config.env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos) continue;
    if (e.substr(0, eq) == "PATH")
      path = e.substr(eq + 1);
    else
      ex.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  ex.env.emplace_back("PATH", path);
  if (a.docker_image.empty()) {
    for (const auto& [k, v] : InputEnv(inputs)) ex.env.emplace_back(k, v);
    for (const auto& [k, v] : a.action.env) {
      auto val = Interpolate(v, ctx.expr);
      ex.env.emplace_back(k, val.ok() ? *val : v);
    }
    ex.env.emplace_back("GITHUB_ACTION_PATH", a.sandbox_dir);
  }
  ex.cwd = kWorkspace;
  ex.sandbox = &session->sandbox();
  ex.keep = session;
  return ex;
}

}  // namespace kiln::workflow
