// Reusable workflows where the caller's level meets the called jobs' (issue 11's review), on
// the fake (host) runtime: whose `if` decides, the log prefix of a called job.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

// No `name:`: GitHub names it by its path in the repository.
const char kDeploy[] = R"(on: workflow_call
jobs:
  go:
    runs-on: x
    steps: [{run: echo went > "$GITHUB_WORKSPACE/went"}]
  after:
    needs: go
    runs-on: x
    steps: [{run: echo after > "$GITHUB_WORKSPACE/after"}]
)";

class CallFramesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeDirs(ws() + "/.github/workflows").ok());
    ASSERT_TRUE(WriteFileAtomic(ws() + "/.github/workflows/deploy.yml", kDeploy).ok());
  }
  std::string ws() { return dir_.Sub("ws"); }
  RunReport Run(const std::string& yaml) {
    auto wf = ParseWorkflow(yaml, "ci.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = ws();
    o.bind_workspace = true;
    o.scratch_dir = dir_.Sub("runs");
    o.runners.default_image = "host";
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  Outcome ResultOf(const RunReport& r, const std::string& name) {
    for (const auto& j : r.jobs)
      if (j.name == name) return j.result;
    ADD_FAILURE() << "no job " << name << "\n" << log_;
    return Outcome::kFailure;
  }
  bool Has(const std::string& file) { return ReadFile(ws() + "/" + file).ok(); }
  testing::ScratchDir dir_;
  std::string log_;
};

// The caller's `if: always()` decides after a failed need; the called jobs then run per their
// own `if` over their own needs.
TEST_F(CallFramesTest, CallerIfDecidesOverItsFailedNeed) {
  RunReport r = Run(R"(on: push
jobs:
  fail: {runs-on: x, steps: [{run: exit 1}]}
  call:
    needs: fail
    if: always()
    uses: ./.github/workflows/deploy.yml
  next:
    needs: call
    runs-on: x
    steps: [{run: 'true'}]
)");
  EXPECT_EQ(ResultOf(r, "call/go"), Outcome::kSuccess) << log_;
  EXPECT_EQ(ResultOf(r, "call/after"), Outcome::kSuccess) << log_;
  EXPECT_TRUE(Has("went")) << log_;
  EXPECT_TRUE(Has("after")) << log_;
  EXPECT_EQ(ResultOf(r, "call"), Outcome::kSuccess) << log_;
  // `next`'s implicit success() still covers `fail`, through the caller.
  EXPECT_EQ(ResultOf(r, "next"), Outcome::kSkipped) << log_;
}

// The caller's own implicit success() covers its needs' chain: a need that ran with
// `if: always()` after a failure does not let the call run.
TEST_F(CallFramesTest, CallerWithoutIfSkipsOverTheChain) {
  RunReport r = Run(R"(on: push
jobs:
  fail: {runs-on: x, steps: [{run: exit 1}]}
  mid: {runs-on: x, needs: fail, if: always(), steps: [{run: 'true'}]}
  call:
    needs: mid
    uses: ./.github/workflows/deploy.yml
)");
  EXPECT_EQ(ResultOf(r, "mid"), Outcome::kSuccess) << log_;
  EXPECT_EQ(ResultOf(r, "call/go"), Outcome::kSkipped) << log_;
  EXPECT_FALSE(Has("went")) << log_;
}

// A caller that needs a job whose matrix comes from needs sees every instance of it: one that
// failed skips the call.
TEST_F(CallFramesTest, CallerNeedsEveryInstanceOfAMatrixFromNeeds) {
  RunReport r = Run(R"(on: push
jobs:
  setup:
    runs-on: x
    outputs: {m: '["a", "b"]'}
    steps: [{run: 'true'}]
  build:
    needs: setup
    runs-on: x
    strategy:
      fail-fast: false
      matrix: {v: "${{ fromJSON(needs.setup.outputs.m) }}"}
    steps: [{run: 'test "${{ matrix.v }}" = a'}]
  call:
    needs: build
    uses: ./.github/workflows/deploy.yml
)");
  EXPECT_EQ(ResultOf(r, "build (b)"), Outcome::kFailure) << log_;
  EXPECT_EQ(ResultOf(r, "call/go"), Outcome::kSkipped) << log_;
  EXPECT_FALSE(Has("went")) << log_;
}

// A caller whose matrix comes from needs cannot be planned yet: a clear error naming where the
// matrix is, never one call with an empty matrix.
TEST_F(CallFramesTest, CallerMatrixFromNeedsIsAClearError) {
  auto wf = ParseWorkflow(R"(on: push
jobs:
  setup:
    runs-on: x
    outputs: {m: '["a", "b"]'}
    steps: [{run: 'true'}]
  call:
    needs: setup
    strategy:
      matrix: {v: "${{ fromJSON(needs.setup.outputs.m) }}"}
    uses: ./.github/workflows/deploy.yml
)",
                          "ci.yml");
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  RunOptions o;
  o.workspace = ws();
  o.bind_workspace = true;
  o.scratch_dir = dir_.Sub("runs");
  o.runners.default_image = "host";
  o.out = [&](const std::string& l) { log_ += l + "\n"; };
  auto engine = testing_support::HostEngine(dir_.path());
  auto r = RunWorkflows({*wf}, o, *engine);
  ASSERT_FALSE(r.ok()) << log_;
  EXPECT_EQ(r.status().message().rfind("ci.yml:10:15: job call: a matrix from needs on a job that "
                                       "calls a reusable workflow is not supported yet",
                                       0),
            0u)
      << r.status().ToString();
  EXPECT_FALSE(ReadFile(ws() + "/went").ok());
}

// A called job's lines begin [CALLER_WORKFLOW/caller/job], not with the called file's path.
TEST_F(CallFramesTest, CalledJobPrefixIsTheCallersWorkflow) {
  Run("name: CI\non: push\njobs:\n  deploy: {uses: ./.github/workflows/deploy.yml}\n");
  EXPECT_NE(log_.find("[CI/deploy/go] "), std::string::npos) << log_;
  EXPECT_EQ(log_.find("deploy.yml/"), std::string::npos) << log_;
}

}  // namespace
}  // namespace kiln::workflow
