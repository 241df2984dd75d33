// One suite of Sandbox behaviour, run against the fake (sandbox_test.cc) and crun
// (sandbox_itest.cc). A test file defines MakeRuntime() and instantiates the suite.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "runtime/sandbox.h"
#include "testing/test_env.h"

namespace kiln::runtime {

struct SuiteEnv {
  std::unique_ptr<Runtime> runtime;
  std::vector<std::string> lower_dirs;  // a busybox rootfs for crun; empty for the fake
  bool isolated = false;                // crun: files land in the upper dir, etc.
  std::string state_dir;                // crun: RuntimeOptions::state_dir
};

// Implemented by each test file.
SuiteEnv MakeSuiteEnv(const testing::ScratchDir& dir);

class SandboxSuite : public ::testing::Test {
 protected:
  void SetUp() override;
  SandboxSpec BaseSpec(std::vector<BindMount> mounts = {}) const;
  std::unique_ptr<Sandbox> NewSandbox(std::vector<BindMount> mounts = {});
  // Runs `sh -c script` and returns {exit code, stdout+stderr lines "O:…"/"E:…"}.
  std::pair<int, std::vector<std::string>> Sh(Sandbox& s, const std::string& script,
                                              std::vector<std::string> env = {},
                                              const std::string& cwd = "");
  testing::ScratchDir dir_{"/var/tmp"};
  SuiteEnv env_;
};

}  // namespace kiln::runtime
