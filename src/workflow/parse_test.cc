#include "workflow/parse.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

std::string ErrorOf(const std::string& yaml) {
  auto w = ParseWorkflow(yaml, "ci.yml");
  EXPECT_FALSE(w.ok()) << yaml;
  return w.ok() ? "" : w.status().message();
}

TEST(ParseTest, ReadsJobsStepsAndDefaults) {
  auto w = ParseWorkflow(R"(name: demo
on: [push, pull_request]
env: {A: "1"}
defaults: {run: {shell: sh}}
jobs:
  build:
    runs-on: ubuntu-latest
    container: {image: "debian:bookworm", env: {B: two}}
    steps:
      - id: first
        run: echo hi
        continue-on-error: true
      - name: second
        run: exit 0
        if: ${{ failure() }}
  test:
    needs: build
    runs-on: {size: 4x16, image: tools}
    snapshot: {image-name: tools, version: "2.*", persist-env: true}
    steps: [{run: "true"}]
)",
                         "ci.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->events, (std::vector<std::string>{"push", "pull_request"}));
  ASSERT_EQ(w->jobs.size(), 2u);
  const Job& b = w->jobs[0];
  EXPECT_EQ(b.container->image, "debian:bookworm");
  EXPECT_EQ(b.steps[0].id, "first");
  EXPECT_EQ(b.steps[0].continue_on_error, "true");
  EXPECT_EQ(b.steps[1].if_expr, " failure() ");
  EXPECT_EQ(b.steps[1].pos.line, 13);
  const Job& t = w->jobs[1];
  EXPECT_EQ(t.needs, std::vector<std::string>{"build"});
  EXPECT_EQ(t.runs_on.size, "4x16");
  EXPECT_EQ(t.runs_on.image, "tools");
  ASSERT_TRUE(t.snapshot);
  EXPECT_EQ(t.snapshot->version, "2.*");
  EXPECT_TRUE(t.snapshot->persist_env);
  EXPECT_EQ(t.snapshot->if_expr, "success()");
}

TEST(ParseTest, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(
      ErrorOf(
          "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: hi\n        bogus: 1\n"),
      "ci.yml:7:9: unknown key \"bogus\" in step");
  EXPECT_EQ(ErrorOf("on: push\njobs:\n  a:\n    steps:\n      - run: hi\n"),
            "ci.yml:4:5: job a has no `runs-on`");
  EXPECT_EQ(
      ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {image-name: i, version: "
              "\"2.1\"}\n    steps: [{run: a}]\n"),
      "ci.yml:5:40: version \"2.1\" must be <major>.* with a non-negative integer major, e.g. 2.*");
  std::string syntax = ErrorOf("on: push\njobs:\n  a: [unclosed\n");
  EXPECT_EQ(syntax.rfind("ci.yml:", 0), 0u) << syntax;
}

// Any `uses:` parses with its form checked; the action is found when the step runs.
TEST(ParseTest, UsesFormsAndWith) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n"
      "        with: {fetch-depth: 0, token: '${{ secrets.T }}'}\n      - uses: ./act/x\n"
      "      - uses: docker://alpine:3\n      - uses: o/r/sub/dir@main\n",
      "ci.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto& steps = w->jobs[0].steps;
  EXPECT_EQ(steps[0].with.at("fetch-depth"), "0");
  EXPECT_EQ(steps[0].with.at("token"), "${{ secrets.T }}");
  EXPECT_EQ(steps[0].name, "Run actions/checkout@v4");
  EXPECT_EQ(steps[1].uses_pos.ToString(), "ci.yml:8:15");
  for (const char* bad : {"actions/checkout", "checkout@v4", "docker://", "o//r@v1", "/abs@v1",
                          "./../up", "o/r@..", "o/r/../../x@v1"}) {
    EXPECT_NE(ErrorOf(std::string("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
                                  "      - uses: ") +
                      bad + "\n")
                  .find("ci.yml:6:15: `uses: " + std::string(bad) + "`"),
              std::string::npos)
        << bad;
  }
}

TEST(ParseTest, SnapshotStringAndBadNames) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: my-image\n    steps: [{run: a}]\n",
      "f.yml");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->jobs[0].snapshot->image_name, "my-image");
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {version: 1.*}\n    "
                    "steps: [{run: a}]\n")
                .find("needs `image-name`"),
            std::string::npos);
}

TEST(ParseTest, SnapshotPushTakesOneRepositoryOrAList) {
  auto one = ParseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {image-name: toolbox, push: "
      "127.0.0.1:5000/team/toolbox}\n    steps: [{run: a}]\n",
      "f.yml");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->jobs[0].snapshot->push, std::vector<std::string>{"127.0.0.1:5000/team/toolbox"});
  auto list = ParseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    snapshot:\n      image-name: toolbox\n"
      "      push: [127.0.0.1:5000/a, 'localhost:5000/b']\n    steps: [{run: a}]\n",
      "f.yml");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->jobs[0].snapshot->push.size(), 2u);
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {image-name: t, "
                    "push: team/toolbox}\n    steps: [{run: a}]\n")
                .find("names no registry host"),
            std::string::npos);
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {image-name: t, "
                    "push: 127.0.0.1:5000/t:1.0}\n    steps: [{run: a}]\n")
                .find("names a tag"),
            std::string::npos);
}

TEST(ParseTest, SnapshotActionStepsTakeOneOrManyImages) {
  auto w = ParseWorkflow(R"(on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: make
      - uses: depot/snapshot-action@v1
        with:
          image: |
            127.0.0.1:5000/team/tool:latest
            127.0.0.1:5000/team/tool:1.0
      - uses: kiln/snapshot@v1
        with: {image: 127.0.0.1:5000/team/other}
)",
                         "f.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto& steps = w->jobs[0].steps;
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].with.at("image"),
            "127.0.0.1:5000/team/tool:latest\n127.0.0.1:5000/team/tool:1.0");
  EXPECT_EQ(steps[1].name, "Snapshot 127.0.0.1:5000/team/tool:latest");
  EXPECT_EQ(steps[2].with.at("image"), "127.0.0.1:5000/team/other");
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: "
                    "kiln/snapshot@v1\n")
                .find("needs `with: {image: REF}`"),
            std::string::npos);
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: "
                    "kiln/snapshot@v1\n        with: {image: toolbox}\n")
                .find("names no registry host"),
            std::string::npos);
}

// act's planner cases (issue-1595): a missing `needs` target and a missing `on` are errors.
TEST(ParseTest, ActIssue1595PlannerErrors) {
  std::string dir = testing::SourceDir() + "/../shared/external/act-testdata/issue-1595/";
  for (const char* f : {"missing.yml", "no-event.yml", "no-first.yml"}) {
    auto w = ParseWorkflowFile(dir + f);
    ASSERT_FALSE(w.ok()) << f;
    EXPECT_NE(w.status().message().find(f), std::string::npos) << w.status().message();
  }
}

TEST(ParseTest, ExpressionsAreCheckedWithFileLineAndColumn) {
  auto head = std::string("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n");
  std::string e = ErrorOf(head + "      - run: echo ${{ foo(1) }}\n");
  EXPECT_EQ(e.rfind("ci.yml:6:19: jobs.a.steps[0].run: expression \" foo(1) \": unknown function "
                    "foo; functions are: contains, startsWith",
                    0),
            0u)
      << e;
  e = ErrorOf(head + "      - run: echo ${{ case(true, 'a') }}\n");
  EXPECT_EQ(e.rfind("ci.yml:6:19: ", 0), 0u) << e;
  EXPECT_NE(e.find("case() takes an odd number of arguments"), std::string::npos) << e;
  e = ErrorOf(head + "      - run: |\n          echo hi\n          echo ${{ contains(github) }}\n");
  EXPECT_EQ(e.rfind("ci.yml:8:16: ", 0), 0u) << e;
  EXPECT_NE(e.find("contains() takes 2 argument(s), not 1"), std::string::npos) << e;
  e = ErrorOf(head + "      - name: \"x ${{ nosuch.x }}\"\n        run: a\n");
  EXPECT_EQ(e.rfind("ci.yml:6:18: ", 0), 0u) << e;
  EXPECT_NE(e.find("unknown context nosuch"), std::string::npos) << e;
  e = ErrorOf(head + "      - run: a\n        env: {B: \"${{ 1 + }}\"}\n");
  EXPECT_EQ(e.rfind("ci.yml:7:19: ", 0), 0u) << e;
  e = ErrorOf(head + "      - run: a ${{ github.ref\n");
  EXPECT_EQ(e.rfind("ci.yml:6:16: ", 0), 0u) << e;
  EXPECT_NE(e.find("unterminated ${{"), std::string::npos) << e;
  // A bare `if:` is an expression; a job's `if` may not use env or steps (GitHub's table).
  e = ErrorOf(head + "      - run: a\n        if: github.ref == (\n");
  EXPECT_EQ(e.rfind("ci.yml:7:13: ", 0), 0u) << e;
  e = ErrorOf(
      "on: push\njobs:\n  a:\n    runs-on: x\n    if: env.X == 'y'\n    steps: [{run: a}]\n");
  EXPECT_EQ(e.rfind("ci.yml:5:9: jobs.a.if: ", 0), 0u) << e;
  EXPECT_NE(e.find("the env context is not available in jobs.a.if; available there: github, "
                   "inputs, needs, vars"),
            std::string::npos)
      << e;
  e = ErrorOf(
      "on: push\njobs:\n  a:\n    runs-on: ${{ steps.x.outputs.y }}\n    steps: [{run: a}]\n");
  EXPECT_EQ(e.rfind("ci.yml:4:14: jobs.a.runs-on: ", 0), 0u) << e;
  e = ErrorOf(
      "on: push\njobs:\n  a:\n    runs-on: x\n    snapshot: {image-name: i, if: 'nope('}\n"
      "    steps: [{run: a}]\n");
  EXPECT_EQ(e.rfind("ci.yml:5:36: jobs.a.snapshot.if: ", 0), 0u) << e;
  // Literal text where GitHub evaluates nothing, and every context in a step.
  auto ok = ParseWorkflow(
      "name: ${{ not checked }}\non: {push: {branches: ['${{x']}}\njobs:\n  a:\n    runs-on: x\n"
      "    steps:\n      - run: echo ${{ env.A }} ${{ secrets.B }} ${{ hashFiles('x') }}\n"
      "        if: always() && steps.s.outcome == 'success'\n      - run: b\n        if: ''\n",
      "ci.yml");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST(ParseTest, EveryActTestdataWorkflowParses) {
  std::string root = testing::SourceDir() + "/../shared/external/act-testdata";
  ASSERT_TRUE(IsDirectory(root)) << root;
  int seen = 0;
  std::vector<std::string> dirs = {root};
  while (!dirs.empty()) {
    std::string dir = dirs.back();
    dirs.pop_back();
    auto names = ListDir(dir);
    ASSERT_TRUE(names.ok()) << dir;
    for (const auto& n : *names) {
      std::string path = JoinPath(dir, n);
      if (IsDirectory(path)) {
        dirs.push_back(path);
        continue;
      }
      bool yml = n.ends_with(".yml") || n.ends_with(".yaml");
      if (!yml || n == "action.yml" || n == "action.yaml") continue;
      ++seen;
      auto w = ParseWorkflowFile(path);
      // Structural gaps are other helpers' items; an expression error here is a false positive.
      if (!w.ok()) {
        EXPECT_EQ(w.status().message().find("expression"), std::string::npos)
            << path << ": " << w.status().message();
      }
    }
  }
  EXPECT_GT(seen, 10);
}

}  // namespace
}  // namespace kiln::workflow
