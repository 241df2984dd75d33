// The job env file kept from prepare_job to the steps (hook.h).
#include "base/fs.h"
#include "hooks/hook.h"

namespace kiln::hooks {

std::string JobEnvPath(const HookContext& ctx, const std::string& key) {
  return ctx.engine->state_dir() + "/hooks/" + key + ".json";
}

Status SaveJobEnv(const HookContext& ctx, const std::string& key,
                  const std::vector<std::string>& env) {
  RETURN_IF_ERROR(MakeDirs(ctx.engine->state_dir() + "/hooks", 0700));
  Json j = {{"env", env}};
  return WriteFileAtomic(JobEnvPath(ctx, key), DumpJson(j), 0600);
}

Result<std::vector<std::string>> LoadJobEnv(const HookContext& ctx, const std::string& key) {
  auto text = ReadFile(JobEnvPath(ctx, key));
  if (!text.ok() && text.status().code() == Code::kNotFound) {
    return FailedPrecondition("this runner has no job sandbox (prepare_job did not run or failed)");
  }
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(Json j, ParseJson(*text, JobEnvPath(ctx, key)));
  std::vector<std::string> env;
  if (j.is_object() && j.contains("env") && j["env"].is_array()) {
    for (const auto& e : j["env"]) {
      if (e.is_string()) env.push_back(e.get<std::string>());
    }
  }
  return env;
}

}  // namespace kiln::hooks
