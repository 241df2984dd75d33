#include "workflow/parse.h"

#include <gtest/gtest.h>

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
  EXPECT_NE(
      ErrorOf(
          "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n")
          .find("not supported"),
      std::string::npos);
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

}  // namespace
}  // namespace kiln::workflow
