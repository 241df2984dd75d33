// The warm pool as a service of the engine: sandboxes of an image and size started before a job
// asks for one (runtime::Runtime::FillPool), taken by the next job whose spec has their PoolKey.
//
// Jobs note the pools they used; Refill() tops each back up to the engine's warm_pool count. The
// owner of the engine calls it when no job needs the CPU (kiln run: after its summary is
// printed; ~Engine at the latest), so that a refill never slows the jobs that asked for it and
// the next run finds its sandboxes waiting. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "base/status.h"
#include "runtime/sandbox.h"

namespace kiln::jobs {

class Engine;

class PoolService {
 public:
  PoolService(Engine* engine, int target) : engine_(engine), target_(target) {}
  int target() const { return target_; }

  // A job's sandbox was made for `spec` (taken from the pool or started): with a target above
  // zero, its pool is refilled by the next Refill(). Persistent sandboxes are not pooled.
  void NoteUsed(const runtime::SandboxSpec& spec);
  // Fills every noted pool to the target and forgets them; failures are logged as warnings.
  void Refill();
  // Starts sandboxes for `spec` (mounts ignored) until `count` wait; returns how many started.
  Result<int> Fill(const runtime::SandboxSpec& spec, int count);

 private:
  Engine* engine_;
  int target_;
  std::mutex mu_;
  std::map<std::string, runtime::SandboxSpec> wanted_;  // by PoolKey
};

}  // namespace kiln::jobs
