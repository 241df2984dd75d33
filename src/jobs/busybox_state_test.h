// The fixture of jobs/' integration tests: a scratch state dir under /var/tmp that holds the
// image "busybox:1" (a busybox rootfs imported with the kiln binary), and engines on it. The
// tests are skipped without root (sandboxes need it).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/subprocess.h"
#include "jobs/engine.h"
#include "testing/test_env.h"

namespace kiln::jobs {

class BusyboxStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "sandboxes need root";
    state_ = dir_.Sub("state");
    testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
    auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "-q", "image", "import",
                         dir_.Sub("rootfs"), "busybox:1"});
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.status().ToString());
  }
  // An engine on the state dir: the built kiln-init, sandboxes of size 1x1.
  std::unique_ptr<Engine> NewEngine() {
    EngineOptions o;
    o.state_dir = state_;
    o.init_path = testing::KilnInitBinary();
    o.default_size = "1x1";
    return std::make_unique<Engine>(std::move(o));
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string state_;
};

}  // namespace kiln::jobs
