#include "workflow/plan.h"

#include <gtest/gtest.h>

#include "workflow/parse.h"

namespace kiln::workflow {
namespace {

TEST(PlanTest, MatrixProductExcludeInclude) {
  auto m = ExpandMatrix(Json::parse(R"({"os": ["a", "b"], "v": [1, 2],
      "exclude": [{"os": "b", "v": 2}],
      "include": [{"os": "a", "extra": "x"}, {"os": "c", "v": 9}]})"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 4u);  // a1 a2 b1 + c9
  EXPECT_EQ((*m)[0]["extra"], "x");
  EXPECT_EQ((*m)[1]["extra"], "x");
  EXPECT_FALSE((*m)[2].contains("extra"));
  EXPECT_EQ((*m)[3]["os"], "c");
}

TEST(PlanTest, IncludeOnlyMatrix) {
  auto m = ExpandMatrix(Json::parse(R"({"include": [{"x": 1}, {"x": 2}]})"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 2u);
}

// GitHub names a matrix job by its values in the written key order, expands with the first
// key varying slowest, and prints an object value on one line.
TEST(PlanTest, MatrixKeysKeepTheirWrittenOrder) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  build:\n    runs-on: x\n    strategy:\n      matrix:\n"
      "        os: [ubuntu-latest, macos]\n        node: [18, 20]\n"
      "        experimental: [false]\n    steps: [{run: a}]\n"
      "  obj:\n    runs-on: x\n    strategy:\n      matrix:\n"
      "        cfg: [{b: 1, a: [2]}]\n    steps: [{run: a}]\n",
      "w.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = PlanRun(*w, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::vector<std::string> names;
  for (const auto& r : *p) names.push_back(r.display);
  EXPECT_EQ(names, (std::vector<std::string>{"build (ubuntu-latest, 18, false)",
                                             "build (ubuntu-latest, 20, false)",
                                             "build (macos, 18, false)", "build (macos, 20, false)",
                                             R"(obj ({"a":[2],"b":1}))"}));
}

TEST(PlanTest, NeedsOrderAndCycles) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  c: {runs-on: x, needs: [a, b], steps: [{run: c}]}\n"
      "  b: {runs-on: x, needs: a, steps: [{run: b}]}\n  a: {runs-on: x, steps: [{run: a}]}\n",
      "w.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = PlanRun(*w, "");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].job->id, "a");
  EXPECT_EQ((*p)[1].job->id, "b");
  EXPECT_EQ((*p)[2].job->id, "c");
  auto cyc = ParseWorkflow(
      "on: push\njobs:\n  a: {runs-on: x, needs: b, steps: [{run: a}]}\n"
      "  b: {runs-on: x, needs: a, steps: [{run: b}]}\n",
      "w.yml");
  ASSERT_TRUE(cyc.ok());
  auto bad = PlanRun(*cyc, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("w.yml:3:"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(PlanRun(*w, "zz").ok());
}

// -j JOB runs JOB and what it needs, transitively (act's createStages), and nothing else.
TEST(PlanTest, OnlyJobKeepsWhatItNeedsTransitively) {
  auto w = ParseWorkflow(
      "on: push\njobs:\n  d: {runs-on: x, needs: c, steps: [{run: d}]}\n"
      "  c: {runs-on: x, needs: b, steps: [{run: c}]}\n"
      "  b: {runs-on: x, needs: a, strategy: {matrix: {v: [1, 2]}}, steps: [{run: b}]}\n"
      "  a: {runs-on: x, steps: [{run: a}]}\n  other: {runs-on: x, steps: [{run: o}]}\n",
      "w.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto ids = [&](const std::string& only) {
    std::string s;
    auto p = PlanRun(*w, only);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (p.ok())
      for (const auto& r : *p) s += r.job->id + " ";
    return s;
  };
  EXPECT_EQ(ids("b"), "a b b ");  // both matrix instances
  EXPECT_EQ(ids("c"), "a b b c ");
  EXPECT_EQ(ids("a"), "a ");
  EXPECT_EQ(ids("other"), "other ");
  EXPECT_EQ(PlanRun(*w, "zz").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace kiln::workflow
