// Workflow commands, GITHUB_STATE and GITHUB_STEP_SUMMARY through whole runs on the fake
// (host) runtime: what the log, the report, the summary table and --json show.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/file_commands_io.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"
#include "workflow/step_commands.h"

namespace kiln::workflow {
namespace {

class RunnerCommandsTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml, std::function<void(RunOptions&)> tweak = nullptr) {
    log_.clear();
    return testing_support::RunOnHost(dir_, yaml, &log_, [&](RunOptions& o) {
      o.secrets = {{"MY_SECRET", "hunter2"}};
      if (tweak) tweak(o);
    });
  }
  bool Logged(const std::string& s) const { return log_.find(s) != std::string::npos; }
  testing::ScratchDir dir_;
  std::string log_;
};

std::string Job(const std::string& script) {
  std::string out =
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: s\n"
      "        run: |\n";
  size_t start = 0;
  while (start < script.size()) {
    size_t nl = script.find('\n', start);
    out += "          " + script.substr(start, nl - start) + "\n";
    start = nl == std::string::npos ? script.size() : nl + 1;
  }
  return out;
}

TEST_F(RunnerCommandsTest, AnnotationsAreShownReportedAndMasked) {
  RunReport r = Run(
      Job("echo '::error file=app.c,line=3,col=7,title=Oops::bad ${{ secrets.MY_SECRET }}%0Anext'\n"
          "echo '::warning::careful'\necho '::error file=x.c,line=1 no closing'"));
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_TRUE(r.success) << log_;  // ::error:: alone does not fail the step
  EXPECT_TRUE(Logged("[t.yml/a › s] | ❗ error app.c:3:7: Oops: bad ***\n")) << log_;
  EXPECT_TRUE(Logged("[t.yml/a › s] | next\n")) << log_;
  EXPECT_TRUE(Logged("| ⚠️  warning: careful")) << log_;
  EXPECT_TRUE(Logged("| ::error file=x.c,line=1 no closing")) << log_;  // malformed: text
  ASSERT_EQ(r.jobs[0].annotations.size(), 2u);
  EXPECT_EQ(r.jobs[0].annotations[0].message, "bad ***\nnext");
  EXPECT_EQ(r.jobs[0].annotations[0].job, "a");
  std::string summary = FormatSummary(r);
  EXPECT_NE(summary.find("Annotations:\n  [a] ❗ error app.c:3:7: Oops: bad ***\n    next\n"),
            std::string::npos)
      << summary;
  std::string json = DumpJson(ReportJson(r), 2);
  EXPECT_NE(json.find("\"title\": \"Oops\""), std::string::npos) << json;
  for (const std::string* text : {&log_, &summary, &json})
    EXPECT_EQ(text->find("hunter2"), std::string::npos) << *text;
}

TEST_F(RunnerCommandsTest, GroupsAndDebugLines) {
  std::string yaml =
      Job("echo '::group::Build'\necho inside\necho '::endgroup::'\necho after\n"
          "echo '::debug::details ${{ secrets.MY_SECRET }}'");
  Run(yaml);
  EXPECT_TRUE(Logged("| ▶ Build\n")) << log_;
  EXPECT_TRUE(Logged("|   inside\n")) << log_;
  EXPECT_TRUE(Logged("| after\n")) << log_;
  EXPECT_FALSE(Logged("details")) << log_;
  Run(yaml, [](RunOptions& o) { o.verbose = true; });
  EXPECT_TRUE(Logged("| 🐛 debug: details ***\n")) << log_;
  Run(yaml, [](RunOptions& o) { o.secrets["ACTIONS_STEP_DEBUG"] = "true"; });
  EXPECT_TRUE(Logged("| 🐛 debug: details ***\n")) << log_;
}

TEST_F(RunnerCommandsTest, SetOutputWarnsAndSetEnvFailsTheStep) {
  RunReport r = Run(R"(on: push
jobs:
  a:
    runs-on: x
    steps:
      - id: o
        run: echo '::set-output name=v::old-style'
      - run: test "${{ steps.o.outputs.v }}" = old-style
      - run: echo '::set-env name=A::b'
      - run: echo '::set-env name=A::b'
        env: {ACTIONS_ALLOW_UNSECURE_COMMANDS: "true"}
        if: always()
      - run: test "$A" = b
        if: always()
)");
  ASSERT_EQ(r.jobs.size(), 1u);
  const auto& steps = r.jobs[0].steps;
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].outcome, Outcome::kSuccess);
  EXPECT_EQ(steps[1].outcome, Outcome::kSuccess) << log_;
  EXPECT_TRUE(Logged("⚠️  warning: The `set-output` command is deprecated")) << log_;
  EXPECT_EQ(steps[2].outcome, Outcome::kFailure);
  EXPECT_TRUE(Logged("| ❌ Unable to process command '::set-env name=A::b' successfully.")) << log_;
  EXPECT_TRUE(Logged("The `set-env` command is disabled.")) << log_;
  EXPECT_EQ(steps[3].outcome, Outcome::kSuccess) << log_;
  EXPECT_EQ(steps[4].outcome, Outcome::kSuccess) << log_;
}

TEST_F(RunnerCommandsTest, StopCommandsUntilTheToken) {
  RunReport r =
      Run(Job("echo '::stop-commands::t0k'\necho '::set-env name=A::b'\n"
              "echo '::t0k::'\necho '::notice::back'"));
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(Logged("| ::set-env name=A::b\n")) << log_;
  EXPECT_TRUE(Logged("| 📌 notice: back\n")) << log_;
}

TEST_F(RunnerCommandsTest, StepSummaryIsPrintedReportedAndMasked) {
  RunReport r =
      Run(Job("echo '# Title' >> \"$GITHUB_STEP_SUMMARY\"\n"
              "echo 'key ${{ secrets.MY_SECRET }}' >> \"$GITHUB_STEP_SUMMARY\""));
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_TRUE(Logged("[t.yml/a] 📝 Job summary\n[t.yml/a]   # Title\n[t.yml/a]   key ***\n"))
      << log_;
  EXPECT_EQ(r.jobs[0].summary, "# Title\nkey ***\n");
  std::string json = DumpJson(ReportJson(r), 2);
  EXPECT_NE(json.find("\"summary\": \"# Title\\nkey ***\\n\""), std::string::npos) << json;
  EXPECT_EQ(json.find("hunter2"), std::string::npos);
}

TEST_F(RunnerCommandsTest, AnOversizeSummaryIsRefusedWithAnError) {
  RunReport r =
      Run(Job("echo kept >> \"$GITHUB_STEP_SUMMARY\"\n"
              "head -c 1100000 /dev/zero | tr '\\0' a >> \"$GITHUB_STEP_SUMMARY\""));
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_TRUE(r.success) << log_;
  EXPECT_TRUE(r.jobs[0].summary.empty());
  EXPECT_TRUE(
      Logged("❗ error: $GITHUB_STEP_SUMMARY upload aborted: GITHUB_STEP_SUMMARY is "
             "larger than 1 MiB"))
      << log_;
  ASSERT_EQ(r.jobs[0].annotations.size(), 1u);
  EXPECT_EQ(r.jobs[0].annotations[0].level, "error");
}

// hashFiles() in a step hashes the run's workspace (ExprContext::workspace_host).
TEST_F(RunnerCommandsTest, HashFilesSeesTheWorkspace) {
  ASSERT_TRUE(MakeDirs(dir_.Sub("ws")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("ws/b.lock"), "b\n").ok());
  RunReport r =
      Run(Job("echo \"key=${{ hashFiles('**/*.lock') }}.\"\n"
              "echo \"none=${{ hashFiles('*.nothing') }}.\""));
  EXPECT_TRUE(r.success) << log_;
  // sha256(sha256("b\n")), computed independently.
  EXPECT_TRUE(Logged("| key=c606dd677840d364890dce4afe87cfa83260633ed6020d197e8837f553dbbb89.\n"))
      << log_;
  EXPECT_TRUE(Logged("| none=.\n")) << log_;
}

// GITHUB_STATE and ::save-state:: are kept by step id for the action's post step.
TEST(StepCommandsTest, StateIsKeptPerStep) {
  testing::ScratchDir dir;
  RunOptions o;
  std::string log;
  o.out = [&](const std::string& l) { log += l + "\n"; };
  JobContext ctx;
  ctx.options = &o;
  auto fd = OpenTempDir(dir.path());
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ctx.temp_fd = std::move(*fd);
  ASSERT_TRUE(CreateCommandFiles(ctx.temp_fd.get(), {"state", "summary"}).ok());
  ASSERT_TRUE(
      WriteFileAtomic(dir.Sub(std::string(kCommandDir) + "/state"), "a=1\nb<<E\nx\ny\nE\n").ok());
  std::string display;
  HandleCommandLine("::save-state name=c::3", ctx.commands, &display);
  Step step;
  step.id = "setup";
  ASSERT_TRUE(EndStepCommands(ctx, step, true, "summary", "state").ok());
  std::map<std::string, std::string> want = {{"a", "1"}, {"b", "x\ny"}, {"c", "3"}};
  EXPECT_EQ(ctx.action_state["setup"], want);
  EXPECT_TRUE(ctx.commands.state.empty());
  ASSERT_EQ(ctx.report.annotations.size(), 1u);  // the deprecation warning of save-state
  // A malformed state file fails the step, naming the file.
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(std::string(kCommandDir) + "/state"), "no-equals\n").ok());
  Status s = EndStepCommands(ctx, step, true, "summary", "state");
  EXPECT_NE(s.message().find("GITHUB_STATE"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace kiln::workflow
