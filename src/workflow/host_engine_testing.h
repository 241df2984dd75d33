// For workflow tests (header only, included by *_test.cc): an engine whose sandboxes run on the
// host (runtime::NewHostRuntime: no isolation) and whose every image is an image of no layers
// with the default PATH, so jobs run the host's tools. Snapshots are not possible on it.
#pragma once

#include <memory>
#include <string>

#include "jobs/engine.h"
#include "runtime/sandbox.h"

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

}  // namespace kiln::workflow::testing_support
