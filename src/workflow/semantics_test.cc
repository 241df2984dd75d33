// GitHub's semantics where kiln once differed (issue 11 item 9), on the fake (host) runtime:
// the implicit success() over the whole needs chain, evaluated shells, container jobs on sh,
// matrices given as expressions (needs outputs included), unmapped runs-on labels.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/plan.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

class SemanticsTest : public ::testing::Test {
 protected:
  RunReport Run(const std::string& yaml, std::function<void(RunOptions&)> tweak = nullptr) {
    return testing_support::RunOnHost(dir_, yaml, &log_, tweak);
  }
  // The report of job `id` (its first instance); fails the test when there is none.
  const JobReport* Job(const RunReport& r, const std::string& id) {
    for (const auto& j : r.jobs)
      if (j.id == id) return &j;
    ADD_FAILURE() << "no report of job " << id << "\n" << log_;
    static JobReport none;
    return &none;
  }
  size_t Count(const RunReport& r, const std::string& id) {
    size_t n = 0;
    for (const auto& j : r.jobs) n += j.id == id;
    return n;
  }
  testing::ScratchDir dir_;
  std::string log_;
};

// act's job-status-check: `next` needs two jobs that ran (if: always()) after `fail` failed;
// its implicit success() covers `fail` too, so it is skipped. `if: always()` still runs.
TEST_F(SemanticsTest, ImplicitSuccessCoversTheWholeNeedsChain) {
  RunReport r = Run(R"(on: push
jobs:
  fail: {runs-on: x, steps: [{run: exit 1}]}
  mid: {runs-on: x, needs: fail, if: always(), steps: [{run: 'true'}]}
  next: {runs-on: x, needs: mid, steps: [{run: 'true'}]}
  last: {runs-on: x, needs: next, if: always(), steps: [{run: 'true'}]}
  off: {runs-on: x, if: "false", steps: [{run: 'true'}]}
  after-off: {runs-on: x, needs: off, if: always(), steps: [{run: 'true'}]}
  grandchild: {runs-on: x, needs: after-off, steps: [{run: 'true'}]}
)");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(Job(r, "fail")->result, Outcome::kFailure);
  EXPECT_EQ(Job(r, "mid")->result, Outcome::kSuccess);
  EXPECT_EQ(Job(r, "next")->result, Outcome::kSkipped) << log_;
  EXPECT_NE(Job(r, "next")->error.find("did not succeed"), std::string::npos);
  EXPECT_EQ(Job(r, "last")->result, Outcome::kSuccess);
  // A skipped ancestor makes the implicit success() false as well.
  EXPECT_EQ(Job(r, "after-off")->result, Outcome::kSuccess);
  EXPECT_EQ(Job(r, "grandchild")->result, Outcome::kSkipped) << log_;
}

TEST_F(SemanticsTest, ShellExpressionsAreEvaluated) {
  RunReport r = Run(R"(on: push
env: {MY_SHELL: sh}
defaults: {run: {shell: "${{ env.MY_SHELL }}"}}
jobs:
  a:
    runs-on: x
    env: {JOB_SHELL: bash}
    steps:
      - run: test -z "$BASH_VERSION" && echo ran-in-sh
      - run: test -n "$BASH_VERSION" && echo ran-in-bash
        shell: ${{ env.JOB_SHELL }}
      - run: echo never
        shell: ${{ fromJSON(env.JOB_SHELL) }}
)");
  const JobReport* a = Job(r, "a");
  ASSERT_EQ(a->steps.size(), 3u);
  EXPECT_EQ(a->steps[0].outcome, Outcome::kSuccess) << log_;
  EXPECT_EQ(a->steps[1].outcome, Outcome::kSuccess) << log_;
  EXPECT_NE(log_.find("| ran-in-sh"), std::string::npos) << log_;
  EXPECT_NE(log_.find("| ran-in-bash"), std::string::npos) << log_;
  EXPECT_EQ(a->steps[2].outcome, Outcome::kFailure);  // fromJSON('bash') fails the step
  EXPECT_EQ(log_.find("| never"), std::string::npos);
}

// As GitHub's workflow parser does, a shell expression that cannot parse (or calls an unknown
// function) makes the workflow invalid before any job runs, naming its position.
TEST(SemanticsParseTest, BadShellExpressionIsAParseError) {
  auto wf = ParseWorkflow(R"(on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: echo never
        shell: ${{ nosuch( }}
)",
                          "t.yml");
  ASSERT_FALSE(wf.ok());
  EXPECT_NE(wf.status().message().find("t.yml:7:16: jobs.a.steps[0].shell: expression"),
            std::string::npos)
      << wf.status().message();
}

// GitHub's runner and act run a container: job's steps with `sh -e {0}` when no shell is
// named; a job on the runner itself uses bash when the image has it.
TEST_F(SemanticsTest, ContainerJobDefaultsToSh) {
  RunReport r = Run(R"(on: push
jobs:
  boxed:
    runs-on: x
    container: {image: host}
    steps: [{run: 'test -z "$BASH_VERSION"'}, {run: 'test -n "$BASH_VERSION"', shell: bash}]
  plain:
    runs-on: x
    steps: [{run: 'test -n "$BASH_VERSION"'}]
)");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Job(r, "boxed")->result, Outcome::kSuccess) << log_;
  EXPECT_EQ(Job(r, "plain")->result, Outcome::kSuccess) << log_;
}

TEST_F(SemanticsTest, MatrixFromNeedsOutputsExpandsOnceTheyFinish) {
  RunReport r = Run(R"(on: push
jobs:
  prepare:
    runs-on: x
    outputs: {matrix: "${{ steps.m.outputs.matrix }}", os: "${{ steps.m.outputs.os }}"}
    steps:
      - id: m
        run: |
          echo 'matrix={"package": ["a", "b", "c"]}' >> "$GITHUB_OUTPUT"
          echo 'os=["x", "y"]' >> "$GITHUB_OUTPUT"
  whole:
    needs: prepare
    runs-on: x
    strategy: {matrix: "${{ fromJSON(needs.prepare.outputs.matrix) }}"}
    steps: [{run: 'echo "whole ${{ matrix.package }}"; test -n "${{ matrix.package }}"'}]
  vector:
    needs: prepare
    runs-on: x
    strategy:
      matrix:
        os: ${{ fromJSON(needs.prepare.outputs.os) }}
        v: [1]
    steps: [{run: 'echo "vector ${{ matrix.os }}-${{ matrix.v }}"'}]
  after:
    needs: [whole, vector]
    runs-on: x
    steps: [{run: 'test "${{ needs.whole.result }}" = success'}]
)");
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Count(r, "whole"), 3u) << log_;
  EXPECT_EQ(Count(r, "vector"), 2u) << log_;
  for (const char* want : {"| whole a", "| whole b", "| whole c", "| vector x-1", "| vector y-1"})
    EXPECT_NE(log_.find(want), std::string::npos) << want << "\n" << log_;
  // `after` waited for every instance: its report comes after all of them.
  ASSERT_FALSE(r.jobs.empty());
  EXPECT_EQ(r.jobs.back().id, "after");
  EXPECT_EQ(r.jobs.back().result, Outcome::kSuccess);
}

TEST_F(SemanticsTest, MatrixFromNeedsThatExpandsToNothingFailsTheJob) {
  RunReport r = Run(R"(on: push
jobs:
  prepare:
    runs-on: x
    outputs: {matrix: "${{ steps.m.outputs.matrix }}"}
    steps: [{id: m, run: 'echo "matrix={\"package\": []}" >> "$GITHUB_OUTPUT"'}]
  evalm:
    needs: prepare
    runs-on: x
    strategy:
      matrix: ${{ fromJSON(needs.prepare.outputs.matrix) }}
    steps: [{run: echo never}]
  after: {runs-on: x, needs: evalm, steps: [{run: 'true'}]}
)");
  EXPECT_FALSE(r.success);
  const JobReport* e = Job(r, "evalm");
  EXPECT_EQ(e->result, Outcome::kFailure);
  EXPECT_NE(e->error.find("t.yml:11:15: job evalm: matrix vector 'package' does not contain any "
                          "values"),
            std::string::npos)
      << e->error;
  EXPECT_EQ(Job(r, "after")->result, Outcome::kSkipped);
  EXPECT_EQ(log_.find("| never"), std::string::npos);
}

// A matrix may read vars and inputs (known before any job runs), as on GitHub.
TEST_F(SemanticsTest, MatrixFromVarsExpandsAtPlanTime) {
  RunReport r = Run(R"(on: push
jobs:
  a:
    runs-on: x
    strategy: {matrix: {os: "${{ fromJSON(vars.OSES) }}"}}
    steps: [{run: 'echo "os ${{ matrix.os }}"'}]
)",
                    [](RunOptions& o) { o.vars["OSES"] = R"(["p", "q"])"; });
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Count(r, "a"), 2u);
  EXPECT_NE(log_.find("| os p"), std::string::npos) << log_;
  EXPECT_NE(log_.find("| os q"), std::string::npos) << log_;
}

// act's evalmatrix-merge-array and evalmatrix-merge-map, and a whole matrix from fromJSON.
TEST(MatrixExprTest, StaticExpressionsSpliceAndMerge) {
  auto w = ParseWorkflow(R"(on: push
jobs:
  a:
    runs-on: x
    strategy:
      matrix:
        a:
          - env:
              key1: ${{ 'val' }}1
              ${{ insert }}: {key2: val2}
          - ${{ fromJSON('[{"env":{"key3":"val3"}},{"env":{"key4":"val4"}}]') }}
    steps: [{run: 'true'}]
  b:
    runs-on: x
    strategy: {matrix: "${{ fromJSON('{\"A\": [1, 2]}') }}"}
    steps: [{run: 'true'}]
)",
                         "t.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = PlanRun(*w, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 5u);
  EXPECT_EQ((*p)[0].matrix["a"]["env"], Json::parse(R"({"key1":"val1","key2":"val2"})"));
  EXPECT_EQ((*p)[1].matrix["a"]["env"]["key3"], "val3");
  EXPECT_EQ((*p)[2].matrix["a"]["env"]["key4"], "val4");
  EXPECT_EQ((*p)[3].matrix["A"], 1);
  EXPECT_EQ((*p)[4].matrix["A"], 2);
}

// A matrix that reads needs is planned as one placeholder run, expanded by the scheduler.
TEST(MatrixExprTest, MatrixOfNeedsIsDeferredAtPlanTime) {
  auto w = ParseWorkflow(R"(on: push
jobs:
  p: {runs-on: x, outputs: {m: x}, steps: [{run: 'true'}]}
  e:
    needs: p
    runs-on: x
    strategy: {matrix: {os: "${{ fromJSON(needs.p.outputs.m) }}", v: [1, 2]}}
    steps: [{run: 'true'}]
)",
                         "t.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = PlanRun(*w, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_FALSE((*p)[0].matrix_deferred);
  EXPECT_TRUE((*p)[1].matrix_deferred);
  auto runs = ExpandJob(*(*p)[1].job, {{"needs", {{"p", {{"outputs", {{"m", "[\"a\"]"}}}}}}}});
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[1].matrix, Json::parse(R"({"os": "a", "v": 2})"));
  EXPECT_EQ((*runs)[1].display, "e (a, 2)");
}

TEST(MatrixExprTest, EmptyOrBadMatrixIsAnErrorNamingItsPosition) {
  for (const auto& [matrix, want] : std::vector<std::pair<std::string, std::string>>{
           {"{os: []}", "t.yml:5:24: job a: matrix vector 'os' does not contain any values"},
           {"{os: [a], exclude: [{os: a}]}", "t.yml:5:24: job a: the matrix expands to no job"},
           {"\"${{ fromJSON('[1]') }}\"",
            "t.yml:5:24: job a: strategy.matrix must evaluate to a mapping"},
           // Not JSON only at run time (a literal '{' is a parse error: see below).
           {"\"${{ fromJSON(format('{0}{1}', '{', '')) }}\"",
            "t.yml:5:24: job a: strategy.matrix: "}}) {
    auto w =
        ParseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    strategy: {matrix: " + matrix +
                          "}\n    steps: [{run: 'true'}]\n",
                      "t.yml");
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto p = PlanRun(*w, "");
    ASSERT_FALSE(p.ok()) << matrix;
    EXPECT_NE(p.status().message().find(want), std::string::npos) << p.status().message();
  }
  // fromJSON() of a literal that is not JSON is certain to fail: the parse-time expression
  // check reports it before any job runs, at the expression's position.
  auto w = ParseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    strategy: {matrix: \"${{ fromJSON('{') "
      "}}\"}\n    steps: [{run: 'true'}]\n",
      "t.yml");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("t.yml:5:25: jobs.a.strategy.matrix: expression"),
            std::string::npos)
      << w.status().message();
}

TEST_F(SemanticsTest, UnmappedLabelSkipsTheJobWithAWarningUnlessStrict) {
  const std::string yaml = R"(on: push
jobs:
  gpu: {runs-on: gpu-large, steps: [{run: echo never}]}
  after-gpu: {runs-on: x, needs: gpu, steps: [{run: echo never}]}
  mapped: {runs-on: x, steps: [{run: 'true'}]}
)";
  auto unmapped = [](RunOptions& o) {
    o.runners.default_image.clear();
    o.runners.overrides["x"] = "host";
  };
  RunReport r = Run(yaml, unmapped);
  EXPECT_TRUE(r.success) << log_;
  EXPECT_EQ(Job(r, "gpu")->result, Outcome::kSkipped);
  EXPECT_NE(Job(r, "gpu")->error.find("t.yml:3:8: job gpu runs on \"gpu-large\", which maps to "
                                      "no image"),
            std::string::npos)
      << Job(r, "gpu")->error;
  EXPECT_NE(log_.find("⚠️  skipped: "), std::string::npos) << log_;
  EXPECT_EQ(Job(r, "after-gpu")->result, Outcome::kSkipped);
  EXPECT_EQ(Job(r, "mapped")->result, Outcome::kSuccess);
  EXPECT_EQ(log_.find("| never"), std::string::npos);

  log_.clear();
  r = Run(yaml, [&](RunOptions& o) {
    unmapped(o);
    o.strict_labels = true;
  });
  EXPECT_FALSE(r.success);
  EXPECT_EQ(Job(r, "gpu")->result, Outcome::kFailure) << log_;
}

TEST(PlanCycleTest, CyclicNeedsNameTheJobAndItsPosition) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  a: {runs-on: x, needs: c, steps: [{run: a}]}\n"
      "  b: {runs-on: x, needs: a, steps: [{run: b}]}\n"
      "  c: {runs-on: x, needs: b, steps: [{run: c}]}\n",
      "w.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = PlanRun(*w, "");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p.status().message().find("w.yml:3:6: job a depends on itself through `needs`"),
            std::string::npos)
      << p.status().message();
}

}  // namespace
}  // namespace kiln::workflow
