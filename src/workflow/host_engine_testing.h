// For workflow tests (header only, included by *_test.cc): an engine whose sandboxes run on the
// host (runtime::NewHostRuntime: no isolation) and whose every image is an image of no layers
// with the default PATH, so jobs run the host's tools. Snapshots are not possible on it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "base/fs.h"
#include "jobs/engine.h"
#include "runtime/sandbox.h"
#include "testing/test_env.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow::testing_support {

class HostImages : public images::Resolver {
 public:
  Result<images::Image> Prepare(const std::string& ref, const images::LogFn&) override {
    images::Image image;
    image.ref = ref;
    image.loaded.config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    return image;
  }
};

// State (catalogue, runs/) under `dir`/state; the host runtime's scratch under `dir`.
inline std::unique_ptr<jobs::Engine> HostEngine(const std::string& dir) {
  jobs::EngineOptions o;
  o.state_dir = dir + "/state";
  o.runtime = runtime::NewHostRuntime(dir);
  o.resolver = std::make_unique<HostImages>();
  return std::make_unique<jobs::Engine>(std::move(o));
}

// Runs `yaml` (as t.yml) on a HostEngine under `dir`: the workspace is dir/ws, the scratch dir
// dir/runs, every job on the "host" image, each log line appended to *log; `tweak` adjusts the
// options first. A workflow that does not parse or a run that errors fails the test and gives
// an empty report.
inline RunReport RunOnHost(const testing::ScratchDir& dir, const std::string& yaml,
                           std::string* log,
                           const std::function<void(RunOptions&)>& tweak = nullptr) {
  auto wf = ParseWorkflow(yaml, "t.yml");
  EXPECT_TRUE(wf.ok()) << wf.status().ToString();
  if (!wf.ok()) return {};
  RunOptions o;
  o.workspace = dir.Sub("ws");
  o.scratch_dir = dir.Sub("runs");
  (void)MakeDirs(o.workspace);
  o.runners.default_image = "host";
  o.out = [log](const std::string& l) { *log += l + "\n"; };
  if (tweak) tweak(o);
  auto engine = HostEngine(dir.path());
  auto r = RunWorkflows({*wf}, o, *engine);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : RunReport{};
}

}  // namespace kiln::workflow::testing_support
