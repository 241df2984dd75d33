#include "workflow/expr.h"

#include <gtest/gtest.h>

namespace kiln::workflow {
namespace {

ExprContext Ctx() {
  ExprContext c;
  c.contexts = Json::parse(R"({"env": {"Name": "kiln", "N": "3"},
    "steps": {"a": {"outputs": {"x": "1"}, "outcome": "success"}, "b": {"outputs": {"x": "2"}, "outcome": "failure"}},
    "matrix": {"os": "linux", "v": 8}})");
  return c;
}

std::string Eval(const std::string& e, ExprContext c = Ctx()) {
  auto v = Evaluate(e, c);
  EXPECT_TRUE(v.ok()) << e << ": " << v.status().ToString();
  return v.ok() ? ToDisplayString(*v) : "<error>";
}

TEST(ExprTest, LiteralsAndOperators) {
  EXPECT_EQ(Eval("1 == 1.0"), "true");
  EXPECT_EQ(Eval("'abc' == 'ABC'"), "true");
  EXPECT_EQ(Eval("'3' == 3"), "true");
  EXPECT_EQ(Eval("null == 0"), "true");
  EXPECT_EQ(Eval("!''"), "true");
  EXPECT_EQ(Eval("'a' && 'b'"), "b");
  EXPECT_EQ(Eval("'' || 'fallback'"), "fallback");
  EXPECT_EQ(Eval("2 < 10"), "true");
  EXPECT_EQ(Eval("'it''s'"), "it's");
  EXPECT_EQ(Eval("(1 < 2) && !(2 < 1)"), "true");
  EXPECT_EQ(Eval("0x10"), "16");
}

TEST(ExprTest, ContextsAreCaseInsensitiveAndNullSafe) {
  EXPECT_EQ(Eval("env.name"), "kiln");
  EXPECT_EQ(Eval("ENV['Name']"), "kiln");
  EXPECT_EQ(Eval("steps.a.outputs.x"), "1");
  EXPECT_EQ(Eval("steps.missing.outputs.x"), "");
  EXPECT_EQ(Eval("matrix.v"), "8");
  EXPECT_EQ(Eval("toJSON(steps.*.outputs.x)"), "[\n  \"1\",\n  \"2\"\n]");
}

TEST(ExprTest, Functions) {
  EXPECT_EQ(Eval("contains('Hello', 'ell')"), "true");
  EXPECT_EQ(Eval("contains(fromJSON('[1,2]'), 2)"), "true");
  EXPECT_EQ(Eval("startsWith('kiln-ci', 'KILN')"), "true");
  EXPECT_EQ(Eval("endsWith('a.yml', '.yaml')"), "false");
  EXPECT_EQ(Eval("format('{0}-{1} {{x}}', 'a', 2)"), "a-2 {x}");
  EXPECT_EQ(Eval("join(fromJSON('[\"a\",\"b\"]'), '+')"), "a+b");
  EXPECT_FALSE(Evaluate("nosuch()", Ctx()).ok());
  EXPECT_FALSE(Evaluate("1 +", Ctx()).ok());
}

TEST(ExprTest, CaseReturnsTheValueOfTheFirstTruePredicate) {
  EXPECT_EQ(Eval("case(true, 'a', 'b')"), "a");
  EXPECT_EQ(Eval("case(false, 'a', 'b')"), "b");
  EXPECT_EQ(Eval("case(false, 'a', matrix.os == 'linux', 'l', true, 't', 'd')"), "l");
  EXPECT_EQ(Eval("case(false, 'a', false, 'b', 'd')"), "d");
  EXPECT_EQ(Eval("CASE(1 == 2, 'eq', 'ne')"), "ne");
}

TEST(ExprTest, StatusFunctionsAndConditions) {
  ExprContext c = Ctx();
  EXPECT_TRUE(*EvaluateCondition("", c));
  EXPECT_TRUE(*EvaluateCondition("env.N == 3", c));
  c.status = JobStatus::kFailure;
  EXPECT_FALSE(*EvaluateCondition("", c));
  EXPECT_FALSE(*EvaluateCondition("env.N == 3", c));  // implicit success() &&
  EXPECT_TRUE(*EvaluateCondition("failure()", c));
  EXPECT_TRUE(*EvaluateCondition("always()", c));
}

TEST(ExprTest, Interpolation) {
  auto s = Interpolate("os=${{ matrix.os }} v=${{ matrix.v }} x=${{ 'a}}b' }}", Ctx());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "os=linux v=8 x=a}}b");
  EXPECT_FALSE(Interpolate("${{ oops", Ctx()).ok());
}

}  // namespace
}  // namespace kiln::workflow
