// The run-wide contexts on the fake (host) runtime: github (RunOptions::github) in expressions,
// GITHUB_* and the event file; vars; inputs (act's workflow_dispatch and workflow_call cases);
// and -n, which runs nothing.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class RunnerGithubTest : public ::testing::Test {
 protected:
  Result<RunReport> Run(const Workflow& wf, const std::function<void(RunOptions&)>& tweak) {
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    (void)MakeDirs(o.workspace);
    o.runners.default_image = "host";
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    tweak(o);
    auto engine = testing_support::HostEngine(dir_.path());
    return RunWorkflows({wf}, o, *engine);
  }
  Workflow Parse(const std::string& yaml_or_path, bool is_path = false) {
    auto wf = is_path ? ParseWorkflowFile(yaml_or_path) : ParseWorkflow(yaml_or_path, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    return wf.ok() ? *wf : Workflow{};
  }
  testing::ScratchDir dir_;
  std::string log_;
};

TEST_F(RunnerGithubTest, ActInputCasesPassWithTheirPayloads) {
  std::string base = testing::SourceDir() + "/../shared/external/act-testdata/";
  struct Case {
    std::string dir, file, event;
    bool payload;
  };
  for (const Case& c : std::vector<Case>{
           {"workflow_dispatch", "workflow_dispatch.yml", "workflow_dispatch", true},
           {"workflow_dispatch-scalar", "workflow_dispatch.yml", "workflow_dispatch", false},
           {"workflow_call_inputs", "workflow_call_inputs.yml", "workflow_call", true}}) {
    log_.clear();
    Workflow wf = Parse(base + c.dir + "/" + c.file, true);
    Json payload = Json::object();
    if (c.payload) {
      auto text = ReadFile(base + c.dir + "/event.json");
      ASSERT_TRUE(text.ok());
      payload = *ParseJson(*text);
    }
    auto r = Run(wf, [&](RunOptions& o) {
      o.event = c.event;
      o.github = {{"event", payload}, {"event_name", c.event}};
    });
    ASSERT_TRUE(r.ok()) << c.dir << ": " << r.status().ToString();
    EXPECT_TRUE(r->success) << c.dir << "\n" << log_;
    EXPECT_FALSE(r->jobs.empty()) << c.dir;
  }
}

TEST_F(RunnerGithubTest, RequiredInputMissingFailsBeforeAnyJob) {
  std::string base = testing::SourceDir() + "/../shared/external/act-testdata/";
  Workflow wf = Parse(base + "workflow_dispatch/workflow_dispatch.yml", true);
  auto r = Run(wf, [](RunOptions& o) { o.event = "workflow_dispatch"; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("workflow_dispatch.yml:7:"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("input required is required"), std::string::npos);
  EXPECT_EQ(log_, "");  // no job started
}

TEST_F(RunnerGithubTest, GithubContextIsTheEnvAndTheEventFile) {
  Workflow wf = Parse(R"(on: push
jobs:
  check:
    runs-on: x
    steps:
      - run: |
          test "$GITHUB_REPOSITORY" = acme/widget
          test "${{ github.repository }}" = acme/widget
          test "$GITHUB_REPOSITORY_OWNER" = acme
          test "$GITHUB_SHA" = "${{ github.sha }}"
          test "$GITHUB_SHA" = 1111111111111111111111111111111111111111
          test "$GITHUB_REF" = refs/heads/dev
          test "$GITHUB_REF_NAME" = dev
          test "$GITHUB_REF_TYPE" = branch
          test "$GITHUB_ACTOR" = alice
          test "${{ github.actor }}" = alice
          test "$GITHUB_EVENT_NAME" = push
          test "${{ github.job }}" = check
          test "$GITHUB_JOB" = check
          test -n "${{ github.run_id }}"
          test "${{ github.event.marker }}" = m42
          test "${{ vars.X }}" = from-vars
          test "$GITHUB_SERVER_URL" = https://github.com
          test -z "${ACT:-}"
          grep -q m42 "$GITHUB_EVENT_PATH"
)");
  auto r = Run(wf, [](RunOptions& o) {
    o.event = "push";
    o.vars = {{"X", "from-vars"}};
    o.github = {{"repository", "acme/widget"},
                {"repository_owner", "acme"},
                {"sha", "1111111111111111111111111111111111111111"},
                {"ref", "refs/heads/dev"},
                {"ref_name", "dev"},
                {"ref_type", "branch"},
                {"actor", "alice"},
                {"event_name", "push"},
                {"server_url", "https://github.com"},
                {"event", {{"marker", "m42"}}}};
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << log_;
}

TEST_F(RunnerGithubTest, DryRunPrintsStepsAndRunsNothing) {
  Workflow wf = Parse(R"(on: push
jobs:
  a:
    runs-on: x
    steps:
      - name: make ${{ vars.F }}
        run: touch "$GITHUB_WORKSPACE/made"
  b:
    needs: a
    runs-on: x
    strategy: {matrix: {n: [1, 2]}}
    steps:
      - name: step ${{ matrix.n }}
        run: exit 1
)");
  auto r = Run(wf, [](RunOptions& o) {
    o.dry_run = true;
    o.vars = {{"F", "file"}};
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  ASSERT_EQ(r->jobs.size(), 3u);
  EXPECT_EQ(r->jobs[1].name, "b (1)");
  EXPECT_NE(log_.find("[t.yml/a] ⭐ Run make file\n"), std::string::npos) << log_;
  EXPECT_NE(log_.find("[t.yml/b (2)] ⭐ Run step 2\n"), std::string::npos) << log_;
  EXPECT_NE(log_.find("Dry run: 3 job(s) planned for event push; nothing ran."), std::string::npos);
  EXPECT_FALSE(PathExists(dir_.Sub("ws/made")));
  EXPECT_FALSE(PathExists(dir_.Sub("runs")));  // no job dir either
}

}  // namespace
}  // namespace kiln::workflow
