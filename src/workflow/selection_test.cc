// -l: which jobs a run would start, by stage.
#include "workflow/selection.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

std::vector<Workflow> Two() {
  auto ci = ParseWorkflow(R"(name: CI
on: [push, pull_request]
jobs:
  test:
    needs: build
    runs-on: x
    strategy: {matrix: {n: [1, 2]}}
    steps: [{run: "true"}]
  build:
    name: Build it
    runs-on: x
    steps: [{run: "true"}]
  deploy:
    needs: [test]
    runs-on: x
    steps: [{run: "true"}]
)",
                          "ci.yml");
  auto rel = ParseWorkflow(
      "on: workflow_dispatch\njobs:\n  rel:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
      "rel.yml");
  EXPECT_TRUE(ci.ok() && rel.ok());
  return {*ci, *rel};
}

std::vector<std::string> Ids(const std::vector<ListedJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(std::to_string(j.stage) + ":" + j.id);
  return ids;
}

TEST(ListJobsTest, EveryJobWithoutAnEventByStage) {
  auto jobs = ListJobs(Two(), RunOptions{});
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_EQ(Ids(*jobs), (std::vector<std::string>{"0:build", "0:rel", "1:test", "2:deploy"}));
  EXPECT_EQ((*jobs)[0].name, "Build it");
  EXPECT_EQ((*jobs)[0].workflow_name, "CI");
  EXPECT_EQ((*jobs)[0].workflow_file, "ci.yml");
  std::string text = FormatJobList(*jobs);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "Stage  Job ID  Job name  Workflow name  Workflow file  Events");
  EXPECT_NE(text.find("2      deploy  deploy    CI             ci.yml         push,pull_request"),
            std::string::npos)
      << text;
  Json j = JobListJson(*jobs);
  EXPECT_EQ(j[1]["job_id"], "rel");
  EXPECT_EQ(j[1]["events"], Json::array({"workflow_dispatch"}));
}

TEST(ListJobsTest, AnEventOrAJobNarrowsIt) {
  RunOptions o;
  o.event = "workflow_dispatch";
  auto dispatch = ListJobs(Two(), o);
  ASSERT_TRUE(dispatch.ok());
  EXPECT_EQ(Ids(*dispatch), (std::vector<std::string>{"0:rel"}));
  o.event = "";
  o.only_job = "test";
  auto test = ListJobs(Two(), o);
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(Ids(*test), (std::vector<std::string>{"0:build", "1:test"}));
  o.only_job = "nosuch";
  auto bad = ListJobs(Two(), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("jobs: ci.yml: test, build, deploy; rel.yml: rel"),
            std::string::npos)
      << bad.status().message();
}

TEST(DryRunTest, ANamedFileThatRunsNothingIsAnError) {
  auto wfs = Two();
  RunOptions o;
  o.named_file = true;
  o.event = "push";
  std::vector<Workflow> rel = {wfs[1]};
  auto r = DryRunWorkflows(rel, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not include push"), std::string::npos);
}

// -n fails as the run would on an action kiln cannot find: naming the uses: and the fix.
TEST(DryRunTest, UnresolvableActionsFailTheDryRun) {
  testing::ScratchDir dir;
  std::string ws = dir.Sub("ws");
  ASSERT_TRUE(MakeDirs(ws + "/.github/act").ok());
  ASSERT_TRUE(
      WriteFileAtomic(ws + "/.github/act/action.yml", "runs: {using: node20, main: x.js}").ok());
  auto dry = [&](const std::string& uses, const std::string& cache) {
    auto wf = ParseWorkflow(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: " +
            uses + "\n",
        "ci.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    RunOptions o;
    o.event = "push";
    o.workspace = ws;
    o.action_cache = cache;
    o.out = [](const std::string&) {};
    return DryRunWorkflows({*wf}, o).status();
  };
  Status s = dry("actions/setup-node@v4", "");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);  // kiln run -n: exit 2
  EXPECT_EQ(s.message().rfind("ci.yml:7:15: action actions/setup-node@v4 is not built into kiln "
                              "and no --action-cache was given",
                              0),
            0u)
      << s.message();
  ASSERT_TRUE(MakeDirs(dir.Sub("cache") + "/actions/setup-node@v4").ok());
  EXPECT_TRUE(dry("actions/setup-node@v4", dir.Sub("cache")).ok());
  EXPECT_TRUE(dry("./.github/act", "").ok());
  s = dry("./.github/nope", "");
  EXPECT_NE(s.message().find("ci.yml:7:15: action ./.github/nope: no action.yml"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace kiln::workflow
