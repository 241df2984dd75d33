// Reusable workflows (jobs.<id>.uses) on the fake (host) runtime: inputs, secrets, outputs,
// matrix, results, and the errors of a bad call.
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

const char kCalled[] = R"(on:
  workflow_call:
    inputs:
      who: {type: string, required: true}
      flag: {type: boolean, default: false}
      n: {type: number, default: 3}
    secrets:
      token: {required: false}
    outputs:
      greeting: {value: "${{ jobs.hello.outputs.g }}"}
jobs:
  hello:
    runs-on: x
    outputs: {g: "${{ steps.s.outputs.g }}"}
    steps:
      - id: s
        run: |
          echo "who=${{ inputs.who }} flag=${{ inputs.flag }} n=${{ inputs.n }} token=${{ secrets.token }} inherited=${{ secrets.MY_SECRET }} event=${{ github.event_name }}" > "$GITHUB_WORKSPACE/seen-${{ inputs.who }}"
          echo "g=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
  second:
    needs: hello
    runs-on: x
    steps:
      - run: test "${{ needs.hello.outputs.g }}" = "hello ${{ inputs.who }}"
      - if: ${{ inputs.flag }}
        run: test "${{ inputs.who }}" != fail-me
)";

class ReusableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeDirs(ws() + "/.github/workflows").ok());
    Put("called.yml", kCalled);
  }
  std::string ws() { return dir_.Sub("ws"); }
  void Put(const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(ws() + "/.github/workflows/" + name, text).ok());
  }
  std::string Seen(const std::string& who) {
    auto r = ReadFile(ws() + "/seen-" + who);
    return r.ok() ? *r : "<missing>";
  }
  Result<RunReport> Run(const std::string& yaml, const std::string& file = "t.yml") {
    auto wf = file == "t.yml" ? ParseWorkflow(yaml, file) : ParseWorkflowFile(file);
    if (!wf.ok()) return wf.status();
    RunOptions o;
    o.workspace = ws();
    // --bind: these tests are about actions and reusable workflows, and read what steps wrote
    // (and the paths errors name) in the checkout itself; workspace_copy_test covers the copy.
    o.bind_workspace = true;
    o.scratch_dir = dir_.Sub("runs");
    o.runners.default_image = "host";
    o.secrets = {{"MY_SECRET", "hunter2"}};
    o.action_cache = action_cache_;
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    auto engine = testing_support::HostEngine(dir_.path());
    return RunWorkflows({*wf}, o, *engine);
  }
  const JobReport* Job(const RunReport& r, const std::string& name) {
    for (const auto& j : r.jobs) {
      if (j.name == name) return &j;
    }
    return nullptr;
  }
  testing::ScratchDir dir_;
  std::string log_;
  std::string action_cache_;
};

TEST_F(ReusableTest, InputsSecretsAndOutputsToALaterJob) {
  auto r = Run(R"(on: push
jobs:
  pre:
    runs-on: x
    outputs: {w: "${{ steps.o.outputs.w }}"}
    steps: [{id: o, run: echo w=world >> "$GITHUB_OUTPUT"}]
  call:
    needs: pre
    uses: ./.github/workflows/called.yml
    with: {who: "${{ needs.pre.outputs.w }}", flag: true}
    secrets: {token: "${{ secrets.MY_SECRET }}-x"}
  after:
    needs: call
    runs-on: x
    steps: [{run: 'test "${{ needs.call.outputs.greeting }}" = "hello world"'}]
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << log_;
  EXPECT_EQ(Seen("world"), "who=world flag=true n=3 token=hunter2-x inherited= event=push\n");
  ASSERT_NE(Job(*r, "call/hello"), nullptr) << log_;
  EXPECT_EQ(Job(*r, "call/second")->result, Outcome::kSuccess);
  EXPECT_EQ(Job(*r, "call")->outputs.at("greeting"), "hello world");
  EXPECT_EQ(Job(*r, "after")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(log_.find("hunter2"), std::string::npos);  // masked in the called jobs too
}

TEST_F(ReusableTest, SecretsInheritAndMatrix) {
  auto r = Run(R"(on: push
jobs:
  call:
    strategy: {matrix: {who: [ann, bob]}}
    uses: ./.github/workflows/called.yml
    with: {who: "${{ matrix.who }}"}
    secrets: inherit
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << log_;
  EXPECT_EQ(Seen("ann"), "who=ann flag=false n=3 token= inherited=hunter2 event=push\n");
  EXPECT_EQ(Seen("bob"), "who=bob flag=false n=3 token= inherited=hunter2 event=push\n");
}

TEST_F(ReusableTest, FailureAndSkipsFlowThroughTheCaller) {
  auto r = Run(R"(on: push
jobs:
  bad:
    uses: ./.github/workflows/called.yml
    with: {who: fail-me, flag: true}
  after:
    needs: bad
    runs-on: x
    steps: [{run: "true"}]
  off:
    if: false
    uses: ./.github/workflows/called.yml
    with: {who: never}
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->success);
  EXPECT_EQ(Job(*r, "bad/second")->result, Outcome::kFailure);
  EXPECT_EQ(Job(*r, "bad")->result, Outcome::kFailure);
  EXPECT_EQ(Job(*r, "after")->result, Outcome::kSkipped);
  EXPECT_EQ(Job(*r, "off/hello")->result, Outcome::kSkipped);
  EXPECT_EQ(Job(*r, "off")->result, Outcome::kSkipped);
  EXPECT_EQ(Seen("never"), "<missing>");
}

TEST_F(ReusableTest, BadCallsAreClearErrors) {
  auto missing = Run(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/nope.yml
)");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("t.yml:4:"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos);

  auto unknown = Run(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with: {who: a, bogus: 1}
)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("has no input bogus"), std::string::npos)
      << unknown.status().message();

  auto required = Run(R"(on: push
jobs:
  call: {uses: ./.github/workflows/called.yml}
)");
  ASSERT_FALSE(required.ok());
  EXPECT_NE(required.status().message().find("input who is required"), std::string::npos);

  Put("plain.yml", "on: push\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n");
  auto plain = Run("on: push\njobs:\n  c: {uses: ./.github/workflows/plain.yml}\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("workflow_call"), std::string::npos);

  auto remote = Run("on: push\njobs:\n  c: {uses: octo/repo/.github/workflows/x.yml@v1}\n");
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("--action-cache"), std::string::npos);
}

TEST_F(ReusableTest, CalledWorkflowThroughASymlinkOutIsRefused) {
  ASSERT_TRUE(MakeDirs(dir_.Sub("outside")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("outside") + "/w.yml", kCalled).ok());
  ASSERT_EQ(::symlink(dir_.Sub("outside").c_str(), (ws() + "/link").c_str()), 0);
  auto r = Run("on: push\njobs:\n  c:\n    uses: ./link/w.yml\n    with: {who: x}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.yml:4:5: job c: uses ./link/w.yml: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("leads out of the repository through a symlink"),
            std::string::npos)
      << r.status().message();
}

// A call that fails before any job runs (here: its secrets: fail to evaluate, the error quoting
// the secret) gets a report no job masked: masked with the run's secrets, and fromJSON's errors
// quote nothing of their argument.
TEST_F(ReusableTest, ReportsOfCallsThatRanNoJobAreMasked) {
  for (const char* expr : {"format(format('{{{0}}}', secrets.MY_SECRET))",
                           "fromJSON(format('{0}{1}', 'x', secrets.MY_SECRET))"}) {
    log_.clear();
    auto r = Run(std::string("on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n"
                             "    with: {who: x}\n    secrets: {token: \"${{ ") +
                 expr + " }}\"}\n");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->success) << expr;
    bool failed = false;
    for (const auto& j : r->jobs) {
      EXPECT_EQ(j.error.find("hunter2"), std::string::npos) << expr << ": " << j.error;
      failed |= j.result == Outcome::kFailure && !j.error.empty();
    }
    EXPECT_TRUE(failed) << expr << "\n" << log_;
    EXPECT_EQ(log_.find("hunter2"), std::string::npos) << log_;
  }
}

TEST_F(ReusableTest, CycleIsAnError) {
  Put("a.yml", R"(on: [push, workflow_call]
jobs:
  again: {uses: ./.github/workflows/b.yml}
)");
  Put("b.yml", R"(on: workflow_call
jobs:
  back: {uses: ./.github/workflows/a.yml}
)");
  auto r = Run("", ws() + "/.github/workflows/a.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cycle"), std::string::npos) << r.status().message();
}

TEST_F(ReusableTest, ParseRules) {
  auto both = ParseWorkflow(R"(on: push
jobs:
  c:
    uses: ./x.yml
    steps: [{run: "true"}]
)",
                            "t.yml");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("t.yml:5:"), std::string::npos) << both.status().message();
  auto ok = ParseWorkflow("on: push\njobs:\n  c: {uses: ./x.yml, secrets: inherit}\n", "t.yml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->jobs[0].secrets_inherit);
  EXPECT_TRUE(ok->jobs[0].steps.empty());
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(ReusableTest, NestingIsBoundedAtFourLevels) {
  for (int i = 1; i <= 4; ++i) {
    Put("l" + std::to_string(i) + ".yml",
        "on: workflow_call\njobs:\n  j" + std::to_string(i) +
            (i < 4 ? ": {uses: ./.github/workflows/l" + std::to_string(i + 1) + ".yml}\n"
                   : ": {runs-on: x, steps: [{run: 'touch \"$GITHUB_WORKSPACE/deep\"'}]}\n"));
  }
  auto deep = Run("on: push\njobs:\n  c: {uses: ./.github/workflows/l1.yml}\n");
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("at most 4 levels"), std::string::npos)
      << deep.status().message();
  auto ok = Run("on: push\njobs:\n  c: {uses: ./.github/workflows/l2.yml}\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->success) << log_;
  EXPECT_TRUE(PathExists(ws() + "/deep"));
  ASSERT_NE(Job(*ok, "c/j2/j3/j4"), nullptr);
  auto up = Run("on: push\njobs:\n  c: {uses: ./.github/workflows/../../../x.yml}\n");
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.status().message().find("may not hold .."), std::string::npos);
  auto cached = Run("on: push\njobs:\n  c: {uses: octo/repo/../../x.yml@v1}\n");
  ASSERT_FALSE(cached.ok());
  EXPECT_NE(cached.status().message().find("may not hold .."), std::string::npos);
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(ReusableTest, WithHasNoSecretsContext) {
  auto r = Run(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with: {who: "x${{ secrets.MY_SECRET }}"}
)");
  if (r.ok()) {
    EXPECT_EQ(Seen("xhunter2"), "<missing>");
    EXPECT_EQ(log_.find("hunter2"), std::string::npos);
  } else {
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace kiln::workflow

namespace kiln::workflow {
namespace {

TEST_F(ReusableTest, RemoteWorkflowFromTheActionCache) {
  action_cache_ = dir_.Sub("actions");
  std::string dir = action_cache_ + "/octo/lib@v2/.github/workflows";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/build.yml", kCalled).ok());
  auto r = Run(R"(on: push
jobs:
  c:
    uses: octo/lib/.github/workflows/build.yml@v2
    with: {who: remote}
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << log_;
  EXPECT_EQ(Seen("remote"), "who=remote flag=false n=3 token= inherited= event=push\n");
  auto other = Run("on: push\njobs:\n  c: {uses: octo/lib/.github/workflows/build.yml@v3}\n");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find(action_cache_ + "/octo/lib@v3/"), std::string::npos)
      << other.status().message();
}

}  // namespace
}  // namespace kiln::workflow
