// Attacks on the workflow parser, planner and expression evaluator with hostile input (issue 7,
// items 6 and 8): each input crashed kiln, exhausted its memory or was accepted before.
#include <gtest/gtest.h>

#include <string>

#include "workflow/expr.h"
#include "workflow/parse.h"
#include "workflow/plan.h"

namespace kiln::workflow {
namespace {

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string ParseError(const std::string& yaml) {
  auto w = ParseWorkflow(yaml, "ci.yml");
  EXPECT_FALSE(w.ok()) << yaml.substr(0, 200);
  return w.ok() ? "" : w.status().message();
}

std::string EvalError(const std::string& expr, const ExprContext& ctx = {}) {
  auto v = Evaluate(expr, ctx);
  EXPECT_FALSE(v.ok());
  return v.ok() ? "" : v.status().message();
}

// Before: 3,000 levels of parentheses overflowed the stack (the parser recursed 7 frames a level).
TEST(SecurityExpr, DeeplyNestedParenthesesAreAnError) {
  std::string e = Repeat("(", 3000) + "1" + Repeat(")", 3000);
  EXPECT_NE(EvalError(e).find("nested deeper than"), std::string::npos);
  EXPECT_NE(EvalError(Repeat("a[", 3000) + "1" + Repeat("]", 3000)).find("nested deeper than"),
            std::string::npos);
  EXPECT_NE(EvalError(Repeat("format(", 3000) + "'x'" + Repeat(")", 3000)).find("nested deeper"),
            std::string::npos);
}

TEST(SecurityExpr, HundredThousandNotsAreAnError) {
  EXPECT_NE(EvalError(Repeat("!", 100000) + "true").find("longer than 65536 bytes"),
            std::string::npos);
  EXPECT_NE(EvalError(Repeat("!", 60000) + "true").find("nested deeper than"), std::string::npos);
  auto ok = Evaluate(Repeat("!", 20) + "true", {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Json(true));
}

// Before: fromJSON of deeply nested JSON parsed, then overflowed the stack copying or printing it.
TEST(SecurityExpr, DeepFromJsonIsAnError) {
  ExprContext ctx;
  ctx.contexts["env"]["DEEP"] = Repeat("[", 100000) + Repeat("]", 100000);
  std::string err = EvalError("toJSON(fromJSON(env.DEEP))", ctx);
  EXPECT_NE(err.find("nest deeper than"), std::string::npos) << err;
  ctx.contexts["env"]["OK"] = Repeat("[", 50) + Repeat("]", 50);
  EXPECT_TRUE(Evaluate("toJSON(fromJSON(env.OK))", ctx).ok());
}

// Before: nlohmann's dump threw type_error 316 on bytes that are not UTF-8; uncaught, it
// aborted kiln mid-job and left the sandbox running.
TEST(SecurityExpr, ToJsonOfInvalidUtf8DoesNotThrow) {
  ExprContext ctx;
  ctx.contexts["steps"]["a"]["outputs"]["x"] = std::string("bad \xff\xfe bytes");
  auto v = Evaluate("toJSON(steps.a.outputs)", ctx);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_NE(v->get<std::string>().find("bad \xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  auto s = Interpolate("${{ steps.a }}", ctx);  // objects print as JSON too
  EXPECT_TRUE(s.ok());
}

TEST(SecurityExpr, FormatRepeatingABigValueIsBounded) {
  ExprContext ctx;
  ctx.contexts["env"]["BIG"] = std::string(1 << 20, 'x');
  std::string err = EvalError("format('" + Repeat("{0}", 200) + "', env.BIG)", ctx);
  EXPECT_NE(err.find("result longer than"), std::string::npos) << err;
  EXPECT_FALSE(Evaluate("format('{99999999999999999999}', 1)", {}).ok());
}

const char kJobHead[] = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n";

// The "billion laughs": 9 levels of 9 aliases, a few hundred bytes that expand to 9^9 strings
// (over 4 GB once converted). Before: kiln ran out of memory converting strategy.matrix.
TEST(SecurityWorkflowParse, YamlAliasBombIsAnError) {
  std::string bomb =
      "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  const char* names = "abcdefghi";
  for (int i = 1; i < 9; ++i) {
    bomb += std::string("x-") + names[i] + ": &" + names[i] + " [";
    for (int k = 0; k < 9; ++k) bomb += std::string(k ? "," : "") + "*" + names[i - 1];
    bomb += "]\n";
  }
  // The anchors live inside the matrix so the workflow's own keys stay valid.
  std::string yaml = std::string(kJobHead) + "    strategy:\n      matrix:\n";
  std::string indented;
  for (size_t p = 0; p < bomb.size();) {
    size_t nl = bomb.find('\n', p);
    indented += "        " + bomb.substr(p, nl - p + 1);
    p = nl + 1;
  }
  yaml += indented + "    steps: [{run: 'true'}]\n";
  EXPECT_LT(bomb.size(), 1000u);
  std::string err = ParseError(yaml);
  EXPECT_NE(err.find("ci.yml:"), std::string::npos) << err;
  EXPECT_NE(err.find("expands to more than"), std::string::npos) << err;
}

TEST(SecurityWorkflowParse, NestingThroughAliasesIsAnError) {
  std::string deep = Repeat("[", 100) + "1" + Repeat("]", 100);
  std::string yaml = std::string(kJobHead) + "    strategy:\n      matrix:\n        a: &a " + deep +
                     "\n        b: &b " + Repeat("[", 100) + "*a" + Repeat("]", 100) +
                     "\n    steps: [{run: 'true'}]\n";
  std::string err = ParseError(yaml);
  EXPECT_NE(err.find("nests deeper than"), std::string::npos) << err;
}

// Before: a matrix of 1,000 × 1,000 planned one million jobs.
TEST(SecurityMatrix, MillionJobMatrixIsAnErrorNamingItsPosition) {
  std::string list = "[";
  for (int i = 0; i < 1000; ++i) list += (i ? "," : "") + std::to_string(i);
  list += "]";
  std::string yaml = std::string(kJobHead) + "    strategy:\n      matrix:\n        a: " + list +
                     "\n        b: " + list + "\n    steps: [{run: 'true'}]\n";
  auto w = ParseWorkflow(yaml, "ci.yml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto plan = PlanRun(*w, "");
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("ci.yml:7:9: job build:"), std::string::npos)
      << plan.status().message();
}

TEST(SecurityMatrix, AtMost256Jobs) {
  Json m = {{"a", Json::array()}, {"b", Json::array()}};
  for (int i = 0; i < 16; ++i) m["a"].push_back(i), m["b"].push_back(i);
  auto ok = ExpandMatrix(m);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size(), 256u);
  m["include"] = Json::array({{{"a", 99}, {"b", 99}}});
  auto too_many = ExpandMatrix(m);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("257 jobs"), std::string::npos);
  // `exclude` entries that are not mappings threw out of nlohmann before.
  EXPECT_FALSE(ExpandMatrix(Json{{"a", {1, 2}}, {"exclude", {"x"}}}).ok());
}

// Before: ordering jobs by `needs` recursed once per job in a chain and overflowed the stack.
TEST(SecurityMatrix, LongNeedsChainIsPlannedWithoutRecursion) {
  Workflow w;
  w.file = "ci.yml";
  const int kJobs = 200000;
  w.jobs.resize(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    w.jobs[i].id = "j" + std::to_string(i);
    w.jobs[i].name = w.jobs[i].id;
    if (i > 0) w.jobs[i].needs = {"j" + std::to_string(i - 1)};
  }
  std::swap(w.jobs.front(), w.jobs.back());  // the last of the chain first, in file order
  auto plan = PlanRun(w, "");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), static_cast<size_t>(kJobs));
  EXPECT_EQ((*plan)[0].job->id, "j0");
  EXPECT_EQ(plan->back().job->id, "j" + std::to_string(kJobs - 1));
  w.jobs.front().needs.push_back(w.jobs.front().id);  // a cycle is still found
  EXPECT_FALSE(PlanRun(w, "").ok());
}

TEST(SecurityWorkflowParse, JobIdsGitHubRefusesAreErrors) {
  for (const std::string id : {"\"\"", "\"1abc\"", "\"a b\"", "\"a.b\"", "\"../x\"", "\"a$b\""}) {
    std::string yaml =
        "on: push\njobs:\n  " + id + ":\n    runs-on: x\n    steps: [{run: 'true'}]\n";
    std::string err = ParseError(yaml);
    EXPECT_NE(err.find("ci.yml:3:3: invalid job id"), std::string::npos) << id << ": " << err;
  }
  std::string yaml =
      "on: push\njobs:\n  _ok-1:\n    runs-on: x\n    steps: [{id: bad id, run: 'true'}]\n";
  EXPECT_NE(ParseError(yaml).find("ci.yml:5:18: invalid step id"), std::string::npos)
      << ParseError(yaml);
  EXPECT_TRUE(
      ParseWorkflow(
          "on: push\njobs:\n  _ok-1:\n    runs-on: x\n    steps: [{id: s_1-a, run: 'true'}]\n",
          "ci.yml")
          .ok());
}

TEST(SecurityWorkflowParse, SnapshotNamesOutsideTheOciGrammarAreErrors) {
  for (const std::string name :
       {"../../etc", "/etc/passwd", "a//b", "Upper", "a/../b", "a..b", "x/", "\"\""}) {
    std::string yaml =
        std::string(kJobHead) + "    snapshot: " + name + "\n    steps: [{run: 'true'}]\n";
    std::string err = ParseError(yaml);
    EXPECT_NE(err.find("ci.yml:5:15: snapshot image name"), std::string::npos)
        << name << ": " << err;
  }
  std::string yaml =
      std::string(kJobHead) +
      "    snapshot: {image-name: ../x, version: '1.*'}\n    steps: [{run: 'true'}]\n";
  EXPECT_NE(ParseError(yaml).find("ci.yml:5:28:"), std::string::npos) << ParseError(yaml);
  for (const std::string name : {"tools", "ci/tools", "a.b_c__d--e/f-1"}) {
    std::string ok =
        std::string(kJobHead) + "    snapshot: " + name + "\n    steps: [{run: 'true'}]\n";
    auto w = ParseWorkflow(ok, "ci.yml");
    EXPECT_TRUE(w.ok()) << name << ": " << w.status().ToString();
  }
}

}  // namespace
}  // namespace kiln::workflow
