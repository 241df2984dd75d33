// Sandboxes outside a job: long-lived ones (kiln sandbox create / rm / snapshot) and the warm
// pool (kiln pool fill). Each makes its spec through sandbox_plan.h, as a job's is made.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "jobs/engine.h"
#include "snapshot/capture.h"

namespace kiln::jobs {

// Where a sandbox made by CreateSandbox is on the network (SandboxSpec's fields).
struct SandboxNetwork {
  std::string network;  // a kiln network's name; "" = loopback only
  std::vector<std::string> aliases;
  std::vector<runtime::PortMapping> ports;
};

// A persistent sandbox of `image` at `size` ("" = as a job on that image gets it), named `name`
// ("" = the image's name), on `net`. It outlives this process; returns its id.
Result<std::string> CreateSandbox(Engine& engine, const std::string& image, const std::string& size,
                                  const std::string& name, const SandboxNetwork& net = {});
// Destroys a persistent sandbox (by id or unique prefix) and what kiln kept for it; returns its id.
Result<std::string> RemoveSandbox(Engine& engine, const std::string& id);

struct SandboxCapture {
  catalog::VersionRecord version;
  snapshot::CaptureResult captured;
  double frozen_seconds = 0;
};
// Freezes the running sandbox `id` just while its changes are captured, records them as the next
// version of `image_name` and thaws it. One capture per sandbox at a time: a second one is
// refused with FailedPrecondition, or with `wait` waits its turn. A sandbox an interrupted capture
// left frozen is thawed first.
Result<SandboxCapture> SnapshotSandbox(Engine& engine, const std::string& id,
                                       const std::string& image_name,
                                       const catalog::VersionSpec& version, bool wait);

struct PoolFill {
  std::string name;  // "debian:bookworm 2x8"
  int started = 0;
};
// Starts pooled sandboxes of `image` at `size` ("" = the size a job on that image gets) until
// `count` wait: the sandboxes a job of that image and size takes.
Result<PoolFill> FillPool(Engine& engine, const std::string& image, const std::string& size,
                          int count);

}  // namespace kiln::jobs
