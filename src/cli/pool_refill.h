// Keeping the warm pool warm for `kiln run`: a Runtime that notes the image and size of each job
// sandbox it creates (taken from the pool or started) and, when it goes away at the end of the
// run, asks for each such pool to be refilled to N in the background — `kiln pool fill --spec
// FILE --count N`, detached. Neither a job's start nor its steps share the CPU with the
// refill, and the next run with the same image and size finds a sandbox waiting.
#pragma once

#include <map>
#include <string>

#include "runtime/sandbox.h"

namespace kiln::cli {

class RefillingRuntime : public runtime::Runtime {
 public:
  RefillingRuntime(runtime::Runtime* inner, std::string state_dir, int count)
      : inner_(inner), state_dir_(std::move(state_dir)), count_(count) {}
  ~RefillingRuntime() override;  // spawns the refills
  Result<std::unique_ptr<runtime::Sandbox>> Create(const runtime::SandboxSpec& spec) override;
  Result<int> FillPool(const runtime::SandboxSpec& spec, int count) override { return inner_->FillPool(spec, count); }
  Result<std::vector<runtime::PoolEntry>> ListPool() override { return inner_->ListPool(); }
  Result<int> DrainPool() override { return inner_->DrainPool(); }
  Result<std::unique_ptr<runtime::Sandbox>> Attach(const std::string& id) override { return inner_->Attach(id); }
  Result<std::vector<runtime::SandboxInfo>> List() override { return inner_->List(); }
  Result<int> SweepOrphans() override { return inner_->SweepOrphans(); }
  Result<std::vector<std::string>> LayerDirsInUse() override { return inner_->LayerDirsInUse(); }

 private:
  runtime::Runtime* inner_;
  std::string state_dir_;
  int count_;
  std::map<std::string, runtime::SandboxSpec> wanted_;  // by pool key
};

// The file a refill request is read from: <state_dir>/pool/<key>.json, the spec without mounts.
Result<std::string> WritePoolRequest(const std::string& state_dir, const runtime::SandboxSpec& spec);
Result<runtime::SandboxSpec> ReadPoolRequest(const std::string& path);

}  // namespace kiln::cli
