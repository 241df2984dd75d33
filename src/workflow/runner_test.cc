// The runner on the fake (host) runtime: act's workflows and kiln's own rules.
#include "workflow/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/job_context.h"
#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

class RunnerTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml_or_path, bool is_path,
                std::vector<std::string>* lines = nullptr,
                std::function<void(RunOptions&)> tweak = nullptr) {
    auto wf = is_path ? ParseWorkflowFile(yaml_or_path) : ParseWorkflow(yaml_or_path, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    (void)MakeDirs(o.workspace);
    o.runners.default_image = "host";
    o.secrets = {{"MY_SECRET", "hunter2"}};
    o.out = [&](const std::string& l) {
      if (lines) lines->push_back(l);
      log_ += l + "\n";
    };
    if (tweak) tweak(o);
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  testing::ScratchDir dir_;
  std::string log_;
};

TEST_F(RunnerTest, OutputsNeedsSecretsAndSummary) {
  std::vector<std::string> lines;
  RunReport r = Run(R"(on: push
jobs:
  a:
    runs-on: x
    outputs: {v: "${{ steps.s.outputs.v }}"}
    steps:
      - id: s
        run: |
          echo "v=from-a" >> "$GITHUB_OUTPUT"
          echo "the secret is ${{ secrets.MY_SECRET }}"
  b:
    needs: a
    runs-on: x
    steps:
      - run: test "${{ needs.a.outputs.v }}" = from-a
      - run: exit 3
      - run: echo never
      - if: failure()
        run: echo cleanup
)",
                    false, &lines);
  EXPECT_FALSE(r.success);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].result, Outcome::kSuccess);
  EXPECT_EQ(r.jobs[1].steps[1].exit_code, 3);
  EXPECT_EQ(r.jobs[1].steps[2].outcome, Outcome::kSkipped);
  EXPECT_EQ(r.jobs[1].steps[3].outcome, Outcome::kSuccess);
  EXPECT_NE(log_.find("the secret is ***"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("hunter2"), std::string::npos);
  std::string summary = FormatSummary(r);
  EXPECT_NE(summary.find("failure (exit 3)"), std::string::npos) << summary;
  EXPECT_EQ(ReportJson(r)["jobs"][1]["steps"][1]["exit_code"], 3);
}

// Output lines name their job and step, so interleaved or grepped logs still tell them apart.
TEST_F(RunnerTest, OutputLinesArePrefixedByJobAndStep) {
  std::vector<std::string> lines;
  Run(R"(on: push
jobs:
  build:
    runs-on: x
    steps:
      - name: Compile
        run: echo compiled
      - run: echo "a rather long first line of a script that goes on"
)",
      false, &lines);
  auto has = [&](const std::string& want) {
    for (const auto& l : lines)
      if (l == want) return true;
    return false;
  };
  EXPECT_TRUE(has("[t.yml/build › Compile] | compiled")) << log_;
  EXPECT_TRUE(
      has("[t.yml/build › Run echo \"a rather long first li…] | "
          "a rather long first line of a script that goes on"))
      << log_;
  // 31 ASCII bytes, then a 2-byte character across the 32-byte cut: it goes whole.
  std::string name = std::string(31, 'c') + "é and more";
  EXPECT_EQ(StepPrefix("[w/j] ", name), "[w/j › " + std::string(31, 'c') + "…] ");
}

// An implicit name is the script's first line as written (GitHub does not interpolate it);
// an explicit name is interpolated and cut to its first line.
TEST_F(RunnerTest, ImplicitStepNamesAreNotInterpolatedAndNamesKeepOneLine) {
  std::vector<std::string> lines;
  RunReport r = Run(R"(on: push
jobs:
  build:
    runs-on: x
    steps:
      - run: echo ${{ toJSON(github.event) }} | head -c 0
      - name: ${{ format('one{0}two', fromJSON('"\n"')) }}
        run: echo named
)",
                    false, &lines);
  ASSERT_EQ(r.jobs.size(), 1u);
  const auto& steps = r.jobs[0].steps;
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0].name, "Run echo ${{ toJSON(github.event) }} | head -c 0");
  EXPECT_EQ(steps[1].name, "one");
  bool found = false;
  for (const auto& l : lines) found = found || l == "[t.yml/build › one] | named";
  EXPECT_TRUE(found) << log_;
}

TEST_F(RunnerTest, FailedNeedSkipsDependents) {
  RunReport r =
      Run("on: push\njobs:\n  a: {runs-on: x, steps: [{run: exit 1}]}\n"
          "  b: {runs-on: x, needs: a, steps: [{run: 'true'}]}\n"
          "  c: {runs-on: x, needs: a, if: always(), steps: [{run: 'true'}]}\n",
          false);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.jobs[1].result, Outcome::kSkipped);
  EXPECT_EQ(r.jobs[2].result, Outcome::kSuccess);
}

// Ctrl-C while a step runs: the step is stopped (it ignores SIGINT, so SIGTERM ends it), marked
// cancelled; only always()/cancelled() steps run after it; the next job does not start.
TEST_F(RunnerTest, InterruptCancelsTheRunningStepAndRunsOnlyCleanUpSteps) {
  std::atomic<int> interrupts{0};
  std::thread ctrl_c;
  std::vector<std::string> lines;
  Stopwatch watch;
  RunReport r = Run(R"(on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: trap '' INT; echo started; sleep 30; echo not reached
      - run: echo skipped-step
      - if: always()
        run: echo cleanup-ran
      - if: cancelled()
        run: echo cancelled-is-true
      - if: failure()
        run: echo failure-is-true
  b:
    runs-on: x
    steps: [{run: echo b-ran}]
)",
                    false, &lines, [&](RunOptions& o) {
                      o.concurrent_jobs =
                          1;  // b waits for a's slot (scheduler_test.cc: jobs running at once)
                      o.interrupts = [&] { return interrupts.load(); };
                      o.cancel_timings = {0.3, 0.3};
                      o.out = [&, inner = o.out](const std::string& l) {
                        inner(l);
                        if (l.find("| started") != std::string::npos)
                          ctrl_c = std::thread([&] { ++interrupts; });
                      };
                    });
  if (ctrl_c.joinable()) ctrl_c.join();
  EXPECT_LT(watch.Seconds(), 20.0) << log_;
  EXPECT_FALSE(r.success);
  ASSERT_EQ(r.jobs.size(), 1u) << log_;
  EXPECT_EQ(r.jobs[0].result, Outcome::kCancelled);
  ASSERT_EQ(r.jobs[0].steps.size(), 5u);
  EXPECT_EQ(r.jobs[0].steps[0].outcome, Outcome::kCancelled);
  EXPECT_EQ(r.jobs[0].steps[0].exit_code, 128 + SIGTERM) << log_;
  EXPECT_EQ(r.jobs[0].steps[1].outcome, Outcome::kSkipped);
  EXPECT_EQ(r.jobs[0].steps[2].outcome, Outcome::kSuccess);
  EXPECT_EQ(r.jobs[0].steps[3].outcome, Outcome::kSuccess);
  EXPECT_EQ(r.jobs[0].steps[4].outcome, Outcome::kSkipped);
  EXPECT_EQ(log_.find("| not reached"), std::string::npos) << log_;
  EXPECT_NE(log_.find("cleanup-ran"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("b-ran"), std::string::npos) << log_;
}

// timeout-minutes: a step over its limit is stopped and fails (continue-on-error applies); a
// job over its limit is cancelled, as GitHub does, and its always() steps still run.
TEST_F(RunnerTest, TimeoutMinutesStopStepsAndCancelJobs) {
  Stopwatch watch;
  RunReport r = Run(R"(on: push
jobs:
  step-limit:
    runs-on: x
    steps:
      - timeout-minutes: 0.005
        run: sleep 30
      - run: echo after-failed-step
      - if: failure()
        run: echo failure-seen
  job-limit:
    if: always()
    runs-on: x
    timeout-minutes: 0.005
    steps:
      - run: sleep 30
      - run: echo not-this
      - if: always()
        run: echo cleanup-ran
)",
                    false, nullptr, [](RunOptions& o) {
                      o.cancel_timings = {0.3, 0.3};
                    });
  EXPECT_LT(watch.Seconds(), 20.0) << log_;
  ASSERT_EQ(r.jobs.size(), 2u) << log_;
  const JobReport& a = r.jobs[0];
  EXPECT_EQ(a.result, Outcome::kFailure);
  ASSERT_EQ(a.steps.size(), 3u);
  EXPECT_EQ(a.steps[0].outcome, Outcome::kFailure);
  EXPECT_EQ(a.steps[1].outcome, Outcome::kSkipped);
  EXPECT_EQ(a.steps[2].outcome, Outcome::kSuccess);
  EXPECT_NE(log_.find("timed out (timeout-minutes: 0.005)"), std::string::npos) << log_;
  const JobReport& b = r.jobs[1];
  EXPECT_EQ(b.result, Outcome::kCancelled);
  ASSERT_EQ(b.steps.size(), 3u);
  EXPECT_EQ(b.steps[0].outcome, Outcome::kCancelled);
  EXPECT_EQ(b.steps[1].outcome, Outcome::kSkipped);
  EXPECT_EQ(b.steps[2].outcome, Outcome::kSuccess);
  EXPECT_NE(b.error.find("timeout-minutes"), std::string::npos) << b.error;
  EXPECT_NE(log_.find("| cleanup-ran"), std::string::npos) << log_;
}

TEST_F(RunnerTest, WorkflowNotTriggeredByTheEventSaysSo) {
  RunReport r =
      Run("on: [workflow_dispatch, schedule]\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n",
          false);
  EXPECT_TRUE(r.jobs.empty());
  ASSERT_EQ(r.not_triggered.size(), 1u);
  EXPECT_EQ(r.not_triggered[0], "t.yml: on: [workflow_dispatch, schedule] does not include push");
  std::string summary = FormatSummary(r);
  EXPECT_NE(summary.find("Not run: t.yml"), std::string::npos) << summary;
  EXPECT_NE(summary.find("No job ran."), std::string::npos) << summary;
}

}  // namespace
}  // namespace kiln::workflow
