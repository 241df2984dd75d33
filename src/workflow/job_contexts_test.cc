// Where a job's parts meet (issue 11's review), on the fake (host) runtime: the contexts a job's
// own `if:` and its services/container see, typed inputs, the step start line.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/container_request.h"
#include "workflow/host_engine_testing.h"
#include "workflow/job_env.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class JobContextsTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml, std::function<void(RunOptions&)> tweak = nullptr) {
    return testing_support::RunOnHost(dir_, yaml, &log_, [&](RunOptions& o) {
      o.bind_workspace = true;
      if (tweak) tweak(o);
    });
  }
  const JobReport* Job(const RunReport& r, const std::string& id) {
    for (const auto& j : r.jobs)
      if (j.id == id) return &j;
    ADD_FAILURE() << "no report of job " << id << "\n" << log_;
    static JobReport none;
    return &none;
  }
  testing::ScratchDir dir_;
  std::string log_;
};

// A job's own `if:` sees github, vars and typed inputs (a workflow_dispatch boolean "false"
// is false, a default applies).
TEST_F(JobContextsTest, JobIfSeesGithubVarsAndTypedInputs) {
  RunReport r = Run(R"(on:
  push:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: true}
      level: {type: string, default: high}
jobs:
  on-push: {runs-on: x, if: "github.event_name == 'push'", steps: [{run: 'true'}]}
  on-var: {runs-on: x, if: "vars.ENABLE == 'yes'", steps: [{run: 'true'}]}
  off-var: {runs-on: x, if: "vars.ENABLE == 'no'", steps: [{run: 'true'}]}
  flag: {runs-on: x, if: inputs.flag, steps: [{run: 'true'}]}
  level: {runs-on: x, if: "inputs.level == 'high'", steps: [{run: 'true'}]}
)",
                    [](RunOptions& o) {
                      o.event = "push";
                      o.vars = {{"ENABLE", "yes"}};
                    });
  EXPECT_EQ(Job(r, "on-push")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "on-var")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "off-var")->result, Outcome::kSkipped) << log_;
  log_.clear();
  RunReport d = Run(R"(on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: true}
      level: {type: string, default: high}
jobs:
  flag: {runs-on: x, if: inputs.flag, steps: [{run: 'true'}]}
  level: {runs-on: x, if: "inputs.level == 'high'", steps: [{run: 'true'}]}
  event: {runs-on: x, if: "github.event_name == 'workflow_dispatch'", steps: [{run: 'true'}]}
)",
                    [](RunOptions& o) {
                      o.event = "workflow_dispatch";
                      o.inputs = {{"flag", "false"}};
                    });
  EXPECT_EQ(Job(d, "flag")->result, Outcome::kSkipped) << log_;
  EXPECT_EQ(Job(d, "level")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(d, "event")->result, Outcome::kSuccess) << log_;
}

// As on GitHub, github.event.inputs holds every declared dispatch input as a string: the
// defaults too, beside what --input gave.
TEST_F(JobContextsTest, EventInputsHoldDispatchDefaults) {
  RunReport r = Run(R"(on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: true}
      level: {type: string, default: high}
jobs:
  ev:
    runs-on: x
    steps:
      - run: test "${{ github.event.inputs.level }}/${{ github.event.inputs.flag }}" = high/false
      - run: test '${{ toJSON(github.event.inputs.flag) }}' = '"false"'
)",
                    [](RunOptions& o) {
                      o.event = "workflow_dispatch";
                      o.inputs = {{"flag", "false"}};
                    });
  EXPECT_EQ(Job(r, "ev")->result, Outcome::kSuccess) << log_;
}

// container: is interpolated with the job's real contexts before its sandbox is made.
TEST_F(JobContextsTest, ContainerImageSeesVars) {
  RunReport r = Run(R"(on: push
jobs:
  boxed:
    runs-on: x
    container: {image: "${{ vars.IMG }}"}
    steps: [{run: 'true'}]
  served:
    runs-on: x
    services:
      db: {image: "svc-${{ vars.IMG }}"}
    steps: [{run: 'true'}]
)",
                    [](RunOptions& o) {
                      o.vars = {{"IMG", "my-image"}};
                      o.concurrent_jobs = 1;
                    });
  EXPECT_EQ(Job(r, "boxed")->image, "my-image") << log_;
  // The host runtime may not start a pod; the start line names the image the service got.
  EXPECT_NE(log_.find("starting service db (svc-my-image)"), std::string::npos) << log_;
}

// The contexts RunJob sets up before the pod starts (SetUpJobContexts) give a service's
// request its env, credentials and image: secrets, vars, env and matrix.
TEST_F(JobContextsTest, ServiceRequestFromTheJobsContexts) {
  auto wf = ParseWorkflow(R"(on: push
env: {REGION: eu}
jobs:
  a:
    runs-on: x
    env: {USER_NAME: "bot-${{ vars.WHO }}"}
    services:
      db:
        image: "pg-${{ vars.IMG }}-${{ matrix.v }}"
        env: {POSTGRES_PASSWORD: "${{ secrets.DB }}", AT: "${{ env.REGION }}"}
        credentials: {username: "${{ env.USER_NAME }}", password: "${{ secrets.REG }}"}
    steps: [{run: 'true'}]
)",
                          "t.yml");
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  RunOptions o;
  o.vars = {{"IMG", "16"}, {"WHO", "amy"}};
  o.secrets = {{"DB", "dbpw"}, {"REG", "regpw"}};
  JobRun run;
  run.job = &wf->jobs.at(0);
  run.matrix = {{"v", "a"}};
  JobContext ctx;
  ctx.workflow = &*wf;
  ctx.run = &run;
  ctx.options = &o;
  ctx.run_id = "1";
  SetUpJobContexts(ctx);
  auto req = MakeContainerRequest(run.job->services.at("db"), "db", ctx.expr);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->image, "pg-16-a");
  EXPECT_EQ(req->env, (std::vector<std::string>{"POSTGRES_PASSWORD=dbpw", "AT=eu"}));
  EXPECT_EQ(req->registry_username, "bot-amy");
  EXPECT_EQ(req->registry_password, "regpw");
}

// kiln run -j publish --input version=1 on a workflow_dispatch-only workflow: that is the event,
// and the inputs are typed for it.
TEST_F(JobContextsTest, OnlyJobRunsItsWorkflowsSingleEvent) {
  RunReport r = Run(R"(on:
  workflow_dispatch:
    inputs:
      version: {required: true}
      dry: {type: boolean, default: false}
jobs:
  publish:
    runs-on: x
    if: "!inputs.dry"
    steps: [{run: 'test "${{ github.event_name }}/${{ inputs.version }}" = workflow_dispatch/1'}]
)",
                    [](RunOptions& o) {
                      o.only_job = "publish";
                      o.inputs = {{"version", "1"}};
                    });
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Job(r, "publish")->result, Outcome::kSuccess) << log_;
}

// A step without a name is "Run <command>" already: its start line says Run once.
TEST_F(JobContextsTest, StepStartLineSaysRunOnce) {
  Run("on: push\njobs:\n  a: {runs-on: x, steps: [{run: echo hi}, {name: greet, run: 'true'}]}\n");
  EXPECT_NE(log_.find("⭐ Run echo hi\n"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("⭐ Run Run"), std::string::npos) << log_;
  EXPECT_NE(log_.find("⭐ Run greet\n"), std::string::npos) << log_;
}

}  // namespace
}  // namespace kiln::workflow
