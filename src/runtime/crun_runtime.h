// The crun Runtime (internal to runtime/; NewCrunRuntime in sandbox.h makes one): sandboxes are
// an overlay of cached layers plus `crun run --detach` of kiln-init (crun_runtime.cc), the warm
// pool keeps some started ahead of time (crun_runtime_pool.cc), and the sweep removes what a
// killed kiln left behind.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/crun_sandbox.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {

class CrunRuntime : public Runtime {
 public:
  explicit CrunRuntime(RuntimeOptions o) : o_(std::move(o)) {}

  Result<std::unique_ptr<Sandbox>> Create(const SandboxSpec& spec) override;
  Result<int> FillPool(const SandboxSpec& spec, int count) override;
  Result<std::vector<PoolEntry>> ListPool() override;
  Result<int> DrainPool() override;
  Result<std::unique_ptr<Sandbox>> Attach(const std::string& id) override;
  Result<std::vector<SandboxInfo>> List() override;
  Result<int> SweepOrphans() override;
  Result<std::vector<std::string>> LayerDirsInUse() override;

 private:
  static std::string NewId();
  std::string SandboxesDir() const { return o_.state_dir + "/sandboxes"; }
  std::string CrunRoot() const { return o_.state_dir + "/crun"; }
  CrunPaths PathsOf(const std::string& id) const {
    return {o_.crun, CrunRoot(), SandboxesDir() + "/" + id, o_.state_dir};
  }
  // Host set-up (cgroups) before the first sandbox of this process.
  Status PrepareHostOnce();
  // A sandbox started now, owned by `owner` (see crun_sandbox.h); removed again on failure.
  Result<std::unique_ptr<CrunSandbox>> StartNew(const SandboxSpec& spec, const std::string& owner);
  // Mounts the overlay, writes the runtime config and runs crun, in `paths.dir`.
  Result<std::unique_ptr<CrunSandbox>> Start(const std::string& id, const CrunPaths& paths,
                                             const SandboxSpec& spec);
  // A pooled sandbox for `spec` with the spec's mounts mounted in, or nullptr when the pool has
  // none (or mounting failed: then that sandbox is removed and the caller starts a new one).
  std::unique_ptr<Sandbox> TakePooled(const SandboxSpec& spec);

  RuntimeOptions o_;
  std::mutex mu_;
  bool prepared_ = false;
};

}  // namespace kiln::runtime
