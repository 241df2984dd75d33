// Which jobs a run starts: -j with what the job needs, unknown jobs, and the event of a
// workflow file named on the command line (act's choices in cmd/root.go).
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class RunSelectionTest : public ::testing::Test {
 protected:
  Result<RunReport> Run(const std::vector<std::string>& yamls,
                        std::function<void(RunOptions&)> tweak) {
    std::vector<Workflow> wfs;
    for (size_t i = 0; i < yamls.size(); ++i) {
      auto wf = ParseWorkflow(yamls[i], "w" + std::to_string(i + 1) + ".yml");
      EXPECT_TRUE(wf.ok()) << wf.status().ToString();
      if (!wf.ok()) return wf.status();
      wfs.push_back(*wf);
    }
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    EXPECT_TRUE(MakeDirs(o.workspace).ok());
    o.runners.default_image = "host";
    o.out = [this](const std::string& l) { log_ += l + "\n"; };
    tweak(o);
    auto engine = testing_support::HostEngine(dir_.path());
    return RunWorkflows(wfs, o, *engine);
  }
  testing::ScratchDir dir_;
  std::string log_;
};

const char kChain[] =
    "on: push\njobs:\n"
    "  a: {runs-on: x, outputs: {v: '${{ steps.s.outputs.v }}'}, steps: [{id: s, run: echo "
    "v=from-a >> $GITHUB_OUTPUT}]}\n"
    "  b: {runs-on: x, needs: a, steps: [{run: 'test \"${{ needs.a.outputs.v }}\" = from-a'}]}\n"
    "  other: {runs-on: x, steps: [{run: echo other-ran}]}\n";

// Before: "b: skipped: a needed job failed" and "Run succeeded".
TEST_F(RunSelectionTest, OnlyJobRunsWhatItNeedsFirst) {
  auto r = Run({kChain}, [](RunOptions& o) { o.only_job = "b"; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u) << log_;
  EXPECT_EQ(r->jobs[0].id, "a");
  EXPECT_EQ(r->jobs[1].id, "b");
  EXPECT_EQ(r->jobs[1].result, Outcome::kSuccess) << log_;
  EXPECT_TRUE(r->success);
  EXPECT_EQ(log_.find("other-ran"), std::string::npos) << log_;
}

// Before: no job ran and "Run succeeded".
TEST_F(RunSelectionTest, AnUnknownJobIsAnErrorNamingTheJobs) {
  auto r = Run({kChain, "on: push\njobs:\n  lint: {runs-on: x, steps: [{run: 'true'}]}\n"},
               [](RunOptions& o) { o.only_job = "nosuch"; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "-j nosuch: no job nosuch in w1.yml, w2.yml (jobs: w1.yml: a, b, other; w2.yml: lint)");
  EXPECT_EQ(log_, "");
}

// -j finds the job in whichever workflow has it.
TEST_F(RunSelectionTest, OnlyJobInOneOfSeveralWorkflows) {
  auto r = Run({kChain, "on: push\njobs:\n  lint: {runs-on: x, steps: [{run: 'true'}]}\n"},
               [](RunOptions& o) { o.only_job = "lint"; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 1u);
  EXPECT_EQ(r->jobs[0].id, "lint");
}

// Before: "Not run: … does not include push", "Run succeeded", exit 0.
TEST_F(RunSelectionTest, ANamedFileWithOneTriggerRunsWithIt) {
  auto r = Run({"on: workflow_dispatch\njobs:\n  a: {runs-on: x, steps: [{run: 'test "
                "\"$GITHUB_EVENT_NAME/${{ github.event_name }}\" = "
                "workflow_dispatch/workflow_dispatch'}]}\n"},
               [](RunOptions& o) { o.named_file = true; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 1u);
  EXPECT_EQ(r->jobs[0].result, Outcome::kSuccess) << log_;
}

TEST_F(RunSelectionTest, ANamedFileThatRunsNothingIsAnError) {
  const std::string two =
      "on: [workflow_dispatch, schedule]\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n";
  auto r = Run({two}, [](RunOptions& o) { o.named_file = true; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "w1.yml: on: [workflow_dispatch, schedule] does not include push; "
            "choose an event of its `on:` with --event, or a job with -j");
  // An event given that the file lacks: the same.
  auto given =
      Run({"on: push\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n"}, [](RunOptions& o) {
        o.named_file = true;
        o.event = "release";
      });
  ASSERT_FALSE(given.ok());
  EXPECT_NE(given.status().message().find("does not include release"), std::string::npos);
  // An event given is used even when the file has a single other trigger.
  auto chosen =
      Run({"on: schedule\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n"}, [](RunOptions& o) {
        o.named_file = true;
        o.event = "schedule";
      });
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  EXPECT_EQ(chosen->jobs.size(), 1u);
}

// A directory (not a named file) with nothing for the event says so and succeeds, as act does.
TEST_F(RunSelectionTest, ADirectoryWithNothingForTheEventSucceeds) {
  auto r = Run({"on: workflow_dispatch\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n"},
               [](RunOptions&) {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->jobs.empty());
  EXPECT_TRUE(r->success);
  ASSERT_EQ(r->not_triggered.size(), 1u);
  EXPECT_NE(FormatSummary(*r).find("No job ran."), std::string::npos);
}

TEST(ChooseEventTest, ActsChoice) {
  Workflow one;
  one.events = {"schedule"};
  Workflow two;
  two.events = {"schedule", "release"};
  RunOptions o;
  EXPECT_EQ(ChooseEvent({one}, o), "push");  // a directory
  o.named_file = true;
  EXPECT_EQ(ChooseEvent({one}, o), "schedule");
  EXPECT_EQ(ChooseEvent({two}, o), "push");
  o.event = "release";
  EXPECT_EQ(ChooseEvent({one}, o), "release");
}

// -j without an event: the one event of the workflows that hold the job (act: the selected
// workflows' single event), whether or not a file was named.
TEST(ChooseEventTest, OnlyJobTakesItsWorkflowsSingleEvent) {
  Workflow ci;
  ci.events = {"push", "pull_request"};
  ci.jobs.resize(1);
  ci.jobs[0].id = "test";
  Workflow release;
  release.events = {"workflow_dispatch"};
  release.jobs.resize(1);
  release.jobs[0].id = "publish";
  RunOptions o;
  o.only_job = "publish";
  EXPECT_EQ(ChooseEvent({ci, release}, o), "workflow_dispatch");
  o.only_job = "test";
  EXPECT_EQ(ChooseEvent({ci, release}, o), "push");  // two events: act's default
  ci.jobs[0].id = "publish";
  o.only_job = "publish";
  EXPECT_EQ(ChooseEvent({ci, release}, o), "push");  // three events between them
  o.event = "release";
  EXPECT_EQ(ChooseEvent({release}, o), "release");
}

}  // namespace
}  // namespace kiln::workflow
