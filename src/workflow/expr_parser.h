// Recursive-descent evaluator for expr.h (internal).
#pragma once

#include <string>
#include <vector>

#include "workflow/expr.h"

namespace kiln::workflow {

struct Token {
  enum Kind { kEnd, kNumber, kString, kIdent, kOp } kind = kEnd;
  std::string text;
  double number = 0;
  size_t offset = 0;  // of the token's first byte in the expression
};

// The deepest nesting the parser accepts: parentheses, brackets, calls and `!` each add a
// level, and each level costs a few stack frames.
inline constexpr int kMaxExprDepth = 100;
// The longest expression accepted, in bytes.
inline constexpr size_t kMaxExprLength = 64 * 1024;

// Splits an expression into tokens, ending with a kEnd token. InvalidArgument ("expression
// \"…\": unterminated string") for text that is not made of the language's tokens.
Result<std::vector<Token>> LexExpression(const std::string& src);
// The InvalidArgument every expression error is: `expression "SRC": WHAT` (SRC cut to 80 bytes).
Status ExpressionError(const std::string& src, const std::string& what);

class ExprParser {
 public:
  ExprParser(const std::string& src, const ExprContext& ctx) : src_(src), ctx_(ctx) {}
  Result<Json> Run();

 private:
  Status Lex();
  Result<Json> Or();
  Result<Json> And();
  Result<Json> Equality();
  Result<Json> Comparison();
  Result<Json> Unary();
  Result<Json> Postfix();
  Result<Json> Primary();
  Result<Json> Call(const std::string& name);
  bool Accept(const std::string& op);
  Status Error(const std::string& what) const;
  // Enters one level of nesting; InvalidArgument past kMaxExprDepth. Pair with Leave().
  Status Enter();
  void Leave() { --depth_; }

  std::string src_;
  const ExprContext& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// Loose equality and ordering, as GitHub defines them.
bool LooseEquals(const Json& a, const Json& b);
// -1, 0, 1, or 2 when unordered (NaN involved).
int LooseCompare(const Json& a, const Json& b);
double ToNumber(const Json& v);
// The function `name` applied to `args` (contains, startsWith, endsWith, format, join, toJSON,
// fromJSON, hashFiles, success, failure, always, cancelled).
Result<Json> CallFunction(const std::string& name, const std::vector<Json>& args,
                          const ExprContext& ctx);

}  // namespace kiln::workflow
