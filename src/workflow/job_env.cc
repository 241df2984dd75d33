#include "workflow/job_env.h"

#include "workflow/inputs.h"
#include "workflow/run_call.h"

namespace kiln::workflow {
namespace {

// strategy: fail-fast (an expression over github, inputs, vars: as the matrix), job-index,
// job-total, max-parallel (job-total when not set).
Json StrategyContext(const JobRun& run, const Json& c) {
  const Job& job = *run.job;
  bool fail_fast = job.fail_fast;
  if (!job.fail_fast_expr.empty()) {
    ExprContext plan_time;
    for (const char* k : {"github", "inputs", "vars"})
      if (c.contains(k)) plan_time.contexts[k] = c[k];
    auto ff = Interpolate(job.fail_fast_expr, plan_time);
    fail_fast = !ff.ok() || *ff != "false";
  }
  size_t total = run.total;
  size_t max = job.max_parallel > 0 ? static_cast<size_t>(job.max_parallel) : total;
  return {{"fail-fast", fail_fast},
          {"job-index", run.index},
          {"job-total", total},
          {"max-parallel", max}};
}

std::string Str(const Json& ghc, const char* key) {
  return ghc.contains(key) && ghc[key].is_string() ? ghc[key].get<std::string>() : "";
}

// What RunOptions::github lacks (all of it when null: tests, embedders), as a run outside a git
// repository gets it from BuildGithubContext.
Json Placeholders(const JobContext& ctx) {
  return {{"event_name", ctx.options->event},
          {"repository", "local/" + ctx.workflow->name},
          {"repository_owner", "local"},
          {"sha", "0000000000000000000000000000000000000000"},
          {"ref", "refs/heads/master"},
          {"ref_name", "master"},
          {"ref_type", "branch"},
          {"head_ref", ""},
          {"base_ref", ""},
          {"actor", "nektos/act"},
          {"triggering_actor", "nektos/act"},
          {"run_number", "1"},
          {"run_attempt", "1"},
          {"retention_days", "0"},
          {"server_url", "https://github.com"},
          {"api_url", "https://api.github.com"},
          {"graphql_url", "https://api.github.com/graphql"},
          {"event", Json::object()}};
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env) {
    if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
  }
  return "";
}

// As on GitHub, github.event.inputs holds every declared input of a dispatch, as a string
// (defaults too): those the payload or --input did not give, from the inputs context.
void FillEventInputs(const Json& inputs, Json& event) {
  if (!event.is_object()) return;
  if (!event.contains("inputs") || !event["inputs"].is_object()) event["inputs"] = Json::object();
  for (const auto& [k, v] : inputs.items())
    if (!event["inputs"].contains(k)) event["inputs"][k] = ToDisplayString(v);
}

}  // namespace

std::string EventPayload(const RunOptions& options) {
  if (options.github.is_object() && options.github.contains("event"))
    return DumpJson(options.github["event"], 2) + "\n";
  return "{}\n";
}

Json JobGithubContext(const JobContext& ctx) {
  Json ghc = Placeholders(ctx);
  if (ctx.options->github.is_object()) {
    for (const auto& [k, v] : ctx.options->github.items()) ghc[k] = v;
  }
  if (Str(ghc, "event_name").empty()) ghc["event_name"] = ctx.options->event;
  if (Str(ghc, "run_id").empty()) ghc["run_id"] = ctx.run_id;
  ghc["workflow"] = ctx.workflow->name;
  ghc["job"] = ctx.run->job->id;
  ghc["workspace"] = kWorkspace;
  ghc["event_path"] = std::string(kWorkflowDir) + "/event.json";
  ghc["action"] = "";
  if (!ghc.contains("event")) ghc["event"] = Json::object();
  if (auto t = ctx.options->secrets.find("GITHUB_TOKEN"); t != ctx.options->secrets.end())
    ghc["token"] = t->second;  // as act; masked like every secret
  return ghc;
}

void SetUpJobContexts(JobContext& ctx) {
  const Job& job = *ctx.run->job;
  Json& c = ctx.expr.contexts;
  Json ghc = JobGithubContext(ctx);
  if (ctx.options->in_call) {  // with: of the caller, checked when the call was planned
    c["inputs"] = InputsContext(*ctx.workflow, ctx.options->inputs);
  } else {
    auto inputs =
        InputsContext(*ctx.workflow, Str(ghc, "event_name"), ghc["event"], ctx.options->inputs);
    c["inputs"] = inputs.ok() ? *inputs : Json::object();
    if (Str(ghc, "event_name") == "workflow_dispatch") FillEventInputs(c["inputs"], ghc["event"]);
  }
  c["vars"] = Json::object();
  for (const auto& [k, v] : ctx.options->vars) c["vars"][k] = v;
  c["github"] = std::move(ghc);
  c["secrets"] = Json::object();
  for (const auto& [k, v] : ctx.options->secrets) c["secrets"][k] = v;
  c["matrix"] = ctx.run->matrix;
  c["strategy"] = StrategyContext(*ctx.run, c);
  c["runner"] = {{"os", "Linux"},
                 {"arch", "X64"},
                 {"name", "kiln"},
                 {"temp", kTemp},
                 {"tool_cache", "/opt/hostedtoolcache"}};
  c["job"] = {{"status", "success"}};
  c["steps"] = Json::object();
  // The env context of services: and container: (the workflow's and the job's env; SetUpEnv
  // adds the image's and the runner's once the image is known).
  c["env"] = Json::object();
  for (const EnvMap* env : {&ctx.workflow->env, &job.env}) {
    for (const auto& [k, v] : *env) {
      auto val = Interpolate(v, ctx.expr);
      c["env"][k] = val.ok() ? *val : v;
    }
  }
}

void SetUpGithub(JobContext& ctx) {
  const Json& ghc = ctx.expr.contexts["github"];
  static const std::vector<std::pair<const char*, const char*>> kVars = {
      {"GITHUB_WORKFLOW", "workflow"},
      {"GITHUB_JOB", "job"},
      {"GITHUB_RUN_ID", "run_id"},
      {"GITHUB_RUN_NUMBER", "run_number"},
      {"GITHUB_RUN_ATTEMPT", "run_attempt"},
      {"GITHUB_EVENT_NAME", "event_name"},
      {"GITHUB_EVENT_PATH", "event_path"},
      {"GITHUB_WORKSPACE", "workspace"},
      {"GITHUB_REPOSITORY", "repository"},
      {"GITHUB_REPOSITORY_OWNER", "repository_owner"},
      {"GITHUB_SHA", "sha"},
      {"GITHUB_REF", "ref"},
      {"GITHUB_REF_NAME", "ref_name"},
      {"GITHUB_REF_TYPE", "ref_type"},
      {"GITHUB_HEAD_REF", "head_ref"},
      {"GITHUB_BASE_REF", "base_ref"},
      {"GITHUB_ACTOR", "actor"},
      {"GITHUB_TRIGGERING_ACTOR", "triggering_actor"},
      {"GITHUB_RETENTION_DAYS", "retention_days"},
      {"GITHUB_SERVER_URL", "server_url"},
      {"GITHUB_API_URL", "api_url"},
      {"GITHUB_GRAPHQL_URL", "graphql_url"}};
  for (const auto& [var, key] : kVars) {
    if (ghc.contains(key)) SetEnv(ctx.env, var, Str(ghc, key));
  }
}

void SetUpEnv(JobContext& ctx) {
  const RunOptions& o = *ctx.options;
  const Job& job = *ctx.run->job;
  ctx.base_path = EnvValue(ctx.image.config().env, "PATH");
  if (ctx.base_path.empty())
    ctx.base_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : ctx.image.config().env) {
    size_t eq = e.find('=');
    if (eq != std::string::npos && e.substr(0, eq) != "PATH")
      SetEnv(ctx.env, e.substr(0, eq), e.substr(eq + 1));
  }
  EnvMap defaults = {{"CI", "true"},         {"GITHUB_ACTIONS", "true"},
                     {"HOME", kHome},        {"RUNNER_OS", "Linux"},
                     {"RUNNER_ARCH", "X64"}, {"RUNNER_NAME", "kiln"},
                     {"RUNNER_TEMP", kTemp}, {"RUNNER_TOOL_CACHE", "/opt/hostedtoolcache"},
                     {"ImageOS", "kiln"}};
  for (const auto& [k, v] : defaults) SetEnv(ctx.env, k, v);
  SetUpGithub(ctx);  // github, inputs, vars and GITHUB_* (job_env.cc)
  for (const auto& [k, v] : o.env) SetEnv(ctx.env, k, v);
  Json& c = ctx.expr.contexts;
  c["runner"] = {{"os", "Linux"},
                 {"arch", "X64"},
                 {"name", "kiln"},
                 {"temp", kTemp},
                 {"tool_cache", "/opt/hostedtoolcache"}};
  c["matrix"] = ctx.run->matrix;
  c["strategy"] = StrategyContext(*ctx.run, c);
  c["steps"] = Json::object();
  ctx.expr.workspace_host = ctx.workspace_host;
  c["secrets"] = Json::object();
  for (const auto& [k, v] : o.secrets) c["secrets"][k] = v;
  c["job"] = {{"status", "success"}};
  // Each value sees the env context as it stands after the entries before it. The context and
  // the index are updated per entry (rebuilding them per entry made 20,000 entries take 67 s).
  c["env"] = Json::object();
  for (const auto& [k, v] : ctx.env) c["env"][k] = v;
  EnvIndex index(ctx.env);
  auto add = [&](const EnvMap& env) {
    for (const auto& [k, v] : env) {
      auto val = Interpolate(v, ctx.expr);
      const std::string& value = val.ok() ? *val : v;
      index.Set(k, value);
      c["env"][k] = value;
    }
  };
  add(ctx.workflow->env);
  add(job.env);
  if (job.container) add(job.container->env);
}

}  // namespace kiln::workflow
