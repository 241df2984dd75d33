#include "workflow/expr_check.h"

#include <gtest/gtest.h>

namespace kiln::workflow {
namespace {

std::string ErrorOf(const std::string& expr, const std::set<std::string>& allowed = AllContexts()) {
  Status s = CheckExpression(expr, allowed, "jobs.a.steps[0].run");
  EXPECT_FALSE(s.ok()) << expr;
  return s.message();
}

TEST(ExprCheckTest, AcceptsValidExpressions) {
  for (const char* e :
       {"github.event_name == 'push' && !cancelled()", "contains(fromJSON('[1,2]'), matrix.x)",
        "format('{0}-{1}', env.A, steps.b.outputs['c'])", "needs.*.result", "(1 < 2) || null",
        "hashFiles('**/go.sum', '!vendor/**')", "toJson(github)", "FROMJSON('{\"a\": 1}').a",
        "join(matrix.*, ', ')", "Success()", "inputs.x || vars.y", "secrets.TOKEN != ''",
        "case(true, 'a', 'b')", "case(github.ref == 'x', 1, env.A, 2, 3)"}) {
    EXPECT_TRUE(CheckExpression(e, AllContexts(), "x").ok())
        << e << ": " << CheckExpression(e, AllContexts(), "x").message();
  }
}

TEST(ExprCheckTest, ReportsSyntaxErrors) {
  EXPECT_NE(ErrorOf("1 +").find("unexpected character '+'"), std::string::npos);
  EXPECT_NE(ErrorOf("(github.ref").find("expected ')'"), std::string::npos);
  EXPECT_NE(ErrorOf("github.").find("expected a property name"), std::string::npos);
  EXPECT_NE(ErrorOf("'open").find("unterminated string"), std::string::npos);
  EXPECT_NE(ErrorOf("   ").find("an expression was expected"), std::string::npos);
  EXPECT_NE(ErrorOf("github b").find("unexpected \"b\""), std::string::npos);
}

TEST(ExprCheckTest, ReportsUnknownFunctionsAndArgumentCounts) {
  std::string e = ErrorOf("foo(1)");
  EXPECT_NE(e.find("unknown function foo; functions are: contains, startsWith"), std::string::npos)
      << e;
  EXPECT_NE(ErrorOf("contains('a')").find("contains() takes 2 argument(s), not 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("success(1)").find("success() takes 0 argument(s), not 1"), std::string::npos);
  EXPECT_NE(ErrorOf("hashFiles()").find("hashFiles() takes at least 1 argument(s)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("join(1, 2, 3)").find("join() takes 1 or 2 argument(s), not 3"),
            std::string::npos);
  EXPECT_NE(ErrorOf("fromJSON('{oops')").find("not JSON"), std::string::npos);
}

TEST(ExprCheckTest, ReportsUnknownAndUnavailableContexts) {
  std::string e = ErrorOf("nosuch.x");
  EXPECT_NE(e.find("unknown context nosuch; the contexts are: env, github"), std::string::npos)
      << e;
  e = ErrorOf("env.A", {"github", "needs"});
  EXPECT_NE(e.find("the env context is not available in jobs.a.steps[0].run; available there: "
                   "github, needs"),
            std::string::npos)
      << e;
}

TEST(ExprCheckTest, TemplatesReportTheOffsetOfTheBadExpression) {
  size_t offset = 0;
  Status s = CheckTemplate("a ${{ github.ref }} b ${{ foo() }}", AllContexts(), "x", &offset);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(offset, 22u);
  s = CheckTemplate("x ${{ github.ref ", AllContexts(), "x", &offset);
  EXPECT_NE(s.message().find("unterminated ${{"), std::string::npos);
  EXPECT_EQ(offset, 2u);
  EXPECT_TRUE(CheckTemplate("no expression, just ${ and }}", AllContexts(), "x", &offset).ok());
  EXPECT_TRUE(CheckTemplate("${{ '}}' }}", AllContexts(), "x", &offset).ok());
}

}  // namespace
}  // namespace kiln::workflow
