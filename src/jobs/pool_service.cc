#include "jobs/pool_service.h"

#include "base/log.h"
#include "jobs/engine.h"

namespace kiln::jobs {

void PoolService::NoteUsed(const runtime::SandboxSpec& spec) {
  if (target_ <= 0 || spec.persistent) return;
  runtime::SandboxSpec pooled = spec;
  pooled.mounts.clear();
  pooled.disk_dirs.clear();
  std::lock_guard<std::mutex> lock(mu_);
  wanted_.emplace(runtime::PoolKey(pooled), std::move(pooled));
}

Result<int> PoolService::Fill(const runtime::SandboxSpec& spec, int count) {
  ASSIGN_OR_RETURN(runtime::Runtime * rt, engine_->Runtime());
  return rt->FillPool(spec, count);
}

void PoolService::Refill() {
  std::map<std::string, runtime::SandboxSpec> wanted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted.swap(wanted_);
  }
  for (const auto& [key, spec] : wanted) {
    auto started = Fill(spec, target_);
    if (!started.ok())
      LogWarn("warm pool for " + spec.name + " not refilled: " + started.status().message());
  }
}

}  // namespace kiln::jobs
