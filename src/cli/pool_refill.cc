#include "cli/pool_refill.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/subprocess.h"
#include "runtime/sandbox_record.h"

namespace kiln::cli {

Result<std::string> WritePoolRequest(const std::string& state_dir, const runtime::SandboxSpec& spec) {
  runtime::SandboxSpec s = spec;
  s.mounts.clear();
  // Named for `kiln pool ls` as `kiln pool fill` names it: image and size.
  auto image = s.labels.find("image");
  if (image != s.labels.end()) s.name = image->second + (s.size ? " " + s.size->name : "");
  RETURN_IF_ERROR(MakeDirs(state_dir + "/pool", 0700));
  std::string path = state_dir + "/pool/" + runtime::PoolKey(s) + ".json";
  RETURN_IF_ERROR(WriteScratchFile(path, DumpJson(runtime::SpecToJson(s, Clock::Real()->NowUnix())), 0600));
  return path;
}

Result<runtime::SandboxSpec> ReadPoolRequest(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(Json j, ParseJson(text));
  return runtime::SpecFromJson(j, nullptr);
}

Result<std::unique_ptr<runtime::Sandbox>> RefillingRuntime::Create(const runtime::SandboxSpec& spec) {
  auto box = inner_->Create(spec);
  if (box.ok() && !spec.persistent) wanted_.emplace(runtime::PoolKey(spec), spec);
  return box;
}

RefillingRuntime::~RefillingRuntime() {
  for (const auto& [key, spec] : wanted_) {
    auto request = WritePoolRequest(state_dir_, spec);
    Status refill = request.ok() ? SpawnDetached({"/proc/self/exe", "--state-dir", state_dir_, "-q", "pool", "fill",
                                                 "--spec", *request, "--count", std::to_string(count_)})
                                 : request.status();
    if (!refill.ok()) LogWarn("warm pool not refilled: " + refill.message());
  }
}

}  // namespace kiln::cli
