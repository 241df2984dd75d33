// Job-level semantics as GitHub has them, on the fake (host) runtime: a job's
// continue-on-error, and failure() after needs that were only skipped.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class JobSemanticsTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml) {
    auto wf = ParseWorkflow(yaml, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    (void)MakeDirs(o.workspace);
    o.runners.default_image = "host";
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  std::vector<const JobReport*> Jobs(const RunReport& r, const std::string& id) {
    std::vector<const JobReport*> out;
    for (const auto& j : r.jobs)
      if (j.id == id) out.push_back(&j);
    return out;
  }
  const JobReport* Job(const RunReport& r, const std::string& id) {
    auto all = Jobs(r, id);
    if (!all.empty()) return all[0];
    ADD_FAILURE() << "no report of job " << id << "\n" << log_;
    static JobReport none;
    return &none;
  }
  testing::ScratchDir dir_;
  std::string log_;
};

TEST_F(JobSemanticsTest, ContinueOnErrorJobFailsNoRunAndItsDependentsRun) {
  RunReport r = Run(R"(on: push
jobs:
  flaky: {runs-on: x, continue-on-error: true, steps: [{run: exit 1}]}
  saw-success: {runs-on: x, needs: flaky, if: "needs.flaky.result == 'success'",
                steps: [{run: 'true'}]}
  implicit: {runs-on: x, needs: flaky, steps: [{run: 'true'}]}
  on-failure: {runs-on: x, needs: flaky, if: failure(), steps: [{run: 'true'}]}
)");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Job(r, "flaky")->result, Outcome::kSuccess);
  EXPECT_TRUE(Job(r, "flaky")->continued);
  EXPECT_EQ(Job(r, "saw-success")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "implicit")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "on-failure")->result, Outcome::kSkipped) << log_;
  EXPECT_NE(log_.find("continuing (continue-on-error)"), std::string::npos) << log_;
}

TEST_F(JobSemanticsTest, ContinueOnErrorFromTheMatrixContinuesOnlyItsInstance) {
  RunReport r = Run(R"(on: push
jobs:
  m:
    runs-on: x
    continue-on-error: ${{ matrix.experimental }}
    strategy: {matrix: {experimental: [true, false]}}
    steps: [{run: exit 1}]
)");
  EXPECT_FALSE(r.success);
  auto m = Jobs(r, "m");
  ASSERT_EQ(m.size(), 2u) << log_;
  int continued = 0, failed = 0;
  for (const JobReport* j : m) {
    continued += j->continued && j->result == Outcome::kSuccess;
    failed += !j->continued && j->result == Outcome::kFailure;
  }
  EXPECT_EQ(continued, 1) << log_;
  EXPECT_EQ(failed, 1) << log_;
}

// failure() is true only when an ancestor failed: a need that was merely skipped makes
// success(), failure() and cancelled() all false, so `if: failure()` skips the job.
TEST_F(JobSemanticsTest, FailureIsFalseWhenANeedWasOnlySkipped) {
  RunReport r = Run(R"(on: push
jobs:
  off: {runs-on: x, if: "false", steps: [{run: 'true'}]}
  after-off: {runs-on: x, needs: off, if: failure(), steps: [{run: 'true'}]}
  after-off-ok: {runs-on: x, needs: off, if: success(), steps: [{run: 'true'}]}
  after-off-always: {runs-on: x, needs: off, if: always(), steps: [{run: 'true'}]}
  fail: {runs-on: x, steps: [{run: exit 1}]}
  mid: {runs-on: x, needs: fail, steps: [{run: 'true'}]}
  after-mid: {runs-on: x, needs: mid, if: failure(), steps: [{run: 'true'}]}
)");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(Job(r, "after-off")->result, Outcome::kSkipped) << log_;
  EXPECT_EQ(Job(r, "after-off-ok")->result, Outcome::kSkipped) << log_;
  EXPECT_EQ(Job(r, "after-off-always")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "mid")->result, Outcome::kSkipped) << log_;
  // An ancestor (fail) failed, though the need itself (mid) was skipped.
  EXPECT_EQ(Job(r, "after-mid")->result, Outcome::kSuccess) << log_;
}

TEST_F(JobSemanticsTest, StrategyContextHasJobIndexTotalAndMaxParallel) {
  RunReport r = Run(R"(on: push
jobs:
  m:
    runs-on: x
    strategy: {max-parallel: 2, matrix: {i: [0, 1, 2]}}
    steps:
      - run: |
          test "${{ strategy.job-index }}" = "${{ matrix.i }}"
          test "${{ strategy.job-total }}" = 3
          test "${{ strategy.max-parallel }}" = 2
          test "${{ strategy.fail-fast }}" = true
  one: {runs-on: x, steps: [{run: 'test "${{ strategy.job-index }}/${{ strategy.job-total }}" = 0/1'}]}
)");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Jobs(r, "m").size(), 3u);
}

TEST_F(JobSemanticsTest, FailFastMayBeAnExpression) {
  RunReport r = Run(R"(on: push
jobs:
  m:
    runs-on: x
    strategy: {fail-fast: "${{ github.event_name != 'push' }}", matrix: {i: [0]}}
    steps: [{run: 'test "${{ strategy.fail-fast }}" = false'}]
)");
  EXPECT_TRUE(r.success) << log_;
}

TEST(JobSemanticsParseTest, UnknownStrategyKeyIsAnErrorNamingIt) {
  auto wf = ParseWorkflow(R"(on: push
jobs:
  a:
    runs-on: x
    strategy: {matrix: {i: [1]}, fail_fast: false}
    steps: [{run: 'true'}]
)",
                          "t.yml");
  ASSERT_FALSE(wf.ok());
  EXPECT_NE(wf.status().message().find("t.yml:5:"), std::string::npos) << wf.status().message();
  EXPECT_NE(wf.status().message().find("strategy.fail_fast"), std::string::npos)
      << wf.status().message();
}

}  // namespace
}  // namespace kiln::workflow
