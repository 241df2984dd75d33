#include "workflow/expr_check.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "base/json.h"
#include "workflow/expr_parser.h"

namespace kiln::workflow {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct FunctionSpec {
  const char* name;
  size_t min_args, max_args;
};
constexpr size_t kMany = 1 << 20;
constexpr FunctionSpec kFunctions[] = {
    {"contains", 2, 2}, {"startsWith", 2, 2}, {"endsWith", 2, 2},  {"format", 1, kMany},
    {"join", 1, 2},     {"toJSON", 1, 1},     {"fromJSON", 1, 1},  {"hashFiles", 1, kMany},
    {"success", 0, 0},  {"always", 0, 0},     {"cancelled", 0, 0}, {"failure", 0, 0},
    {"case", 3, kMany}};

const FunctionSpec* FindFunction(const std::string& name) {
  for (const auto& f : kFunctions)
    if (Lower(f.name) == Lower(name)) return &f;
  return nullptr;
}

std::string Joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A recursive-descent pass over the tokens in the grammar of ExprParser that evaluates
// nothing. Each rule returns the literal it parsed, if it was one (for fromJSON's check).
class Checker {
 public:
  Checker(const std::string& src, const std::set<std::string>& allowed, const std::string& where)
      : src_(src), allowed_(allowed), where_(where) {}

  Status Run() {
    ASSIGN_OR_RETURN(tokens_, LexExpression(src_));
    if (tokens_.size() == 1) return Error("an expression was expected (it is empty)");
    RETURN_IF_ERROR(Or().status());
    if (Peek().kind != Token::kEnd) return Error("unexpected \"" + Peek().text + "\"");
    return Status::Ok();
  }

 private:
  using Lit = std::optional<Json>;
  const Token& Peek() const { return tokens_[pos_]; }
  Status Error(const std::string& what) const { return ExpressionError(src_, what); }
  bool Accept(const char* op) {
    if (Peek().kind == Token::kOp && Peek().text == op) return ++pos_, true;
    return false;
  }
  Status Enter() {
    if (++depth_ > kMaxExprDepth)
      return Error("nested deeper than " + std::to_string(kMaxExprDepth) + " levels");
    return Status::Ok();
  }

  // The binary levels: each operand, then any of `ops` and another operand.
  Result<Lit> Binary(int level) {
    static const std::vector<std::vector<const char*>> kLevels = {
        {"||"}, {"&&"}, {"==", "!="}, {"<=", ">=", "<", ">"}};
    if (level == static_cast<int>(kLevels.size())) return Unary();
    ASSIGN_OR_RETURN(Lit left, Binary(level + 1));
    for (;;) {
      bool any = false;
      for (const char* op : kLevels[static_cast<size_t>(level)]) any = any || Accept(op);
      if (!any) return left;
      RETURN_IF_ERROR(Binary(level + 1).status());
      left.reset();
    }
  }
  Result<Lit> Or() { return Binary(0); }

  Result<Lit> Unary() {
    if (Accept("!")) {
      RETURN_IF_ERROR(Enter());
      RETURN_IF_ERROR(Unary().status());
      --depth_;
      return Lit();
    }
    return Postfix();
  }

  Result<Lit> Postfix() {
    ASSIGN_OR_RETURN(Lit v, Primary());
    for (;;) {
      if (Accept(".")) {
        if (Accept("*")) {
          v.reset();
          continue;
        }
        if (Peek().kind != Token::kIdent) return Error("expected a property name after '.'");
        ++pos_;
        v.reset();
      } else if (Accept("[")) {
        RETURN_IF_ERROR(Enter());
        RETURN_IF_ERROR(Or().status());
        --depth_;
        if (!Accept("]")) return Error("expected ']'");
        v.reset();
      } else {
        return v;
      }
    }
  }

  Result<Lit> Primary() {
    Token t = Peek();
    if (t.kind == Token::kEnd) return Error("unexpected end of the expression");
    ++pos_;
    if (t.kind == Token::kNumber) return Lit(Json(t.number));
    if (t.kind == Token::kString) return Lit(Json(t.text));
    if (t.kind == Token::kOp && t.text == "(") {
      RETURN_IF_ERROR(Enter());
      ASSIGN_OR_RETURN(Lit v, Or());
      --depth_;
      if (!Accept(")")) return Error("expected ')'");
      return v;
    }
    if (t.kind != Token::kIdent) return Error("unexpected \"" + t.text + "\"");
    if (t.text == "true" || t.text == "false") return Lit(Json(t.text == "true"));
    if (t.text == "null") return Lit(Json());
    if (t.text == "NaN" || t.text == "Infinity") return Lit();
    if (Accept("(")) return Call(t.text);
    std::string name = Lower(t.text);
    if (!AllContexts().count(name))
      return Error("unknown context " + t.text + "; the contexts are: " + Joined(AllContexts()));
    if (!allowed_.count(name)) {
      return Error("the " + name + " context is not available in " + where_ +
                   "; available there: " + Joined(allowed_));
    }
    return Lit();
  }

  Result<Lit> Call(const std::string& name) {
    const FunctionSpec* f = FindFunction(name);
    if (f == nullptr) {
      std::string all;
      for (const auto& s : kFunctions) all += (all.empty() ? "" : ", ") + std::string(s.name);
      return Error("unknown function " + name + "; functions are: " + all);
    }
    RETURN_IF_ERROR(Enter());
    std::vector<Lit> args;
    if (!Accept(")")) {
      for (;;) {
        ASSIGN_OR_RETURN(Lit a, Or());
        args.push_back(std::move(a));
        if (Accept(")")) break;
        if (!Accept(",")) return Error("expected ',' or ')' in the call of " + name);
      }
    }
    --depth_;
    if (Lower(name) == "case" && args.size() % 2 == 0) {
      return Error(
          "case() takes an odd number of arguments (predicate, value pairs, then a "
          "default), not " +
          std::to_string(args.size()));
    }
    if (args.size() < f->min_args || args.size() > f->max_args) {
      std::string want = f->min_args == f->max_args ? std::to_string(f->min_args)
                         : f->max_args == kMany
                             ? "at least " + std::to_string(f->min_args)
                             : std::to_string(f->min_args) + " or " + std::to_string(f->max_args);
      return Error(std::string(f->name) + "() takes " + want + " argument(s), not " +
                   std::to_string(args.size()));
    }
    if (Lower(name) == "fromjson" && args[0] && args[0]->is_string()) {
      auto parsed = ParseJson(args[0]->get<std::string>(), "fromJSON");
      if (!parsed.ok()) return Error("fromJSON() of a literal that is not JSON");
    }
    return Lit();
  }

  const std::string& src_;
  const std::set<std::string>& allowed_;
  const std::string& where_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

const std::set<std::string>& AllContexts() {
  static const std::set<std::string> kAll = {"github",   "env",    "vars",   "job",
                                             "jobs",     "steps",  "runner", "secrets",
                                             "strategy", "matrix", "needs",  "inputs"};
  return kAll;
}

Status CheckExpression(const std::string& expr, const std::set<std::string>& allowed,
                       const std::string& where) {
  return Checker(expr, allowed, where).Run();
}

Status CheckTemplate(const std::string& text, const std::set<std::string>& allowed,
                     const std::string& where, size_t* offset) {
  size_t i = 0;
  while ((i = text.find("${{", i)) != std::string::npos) {
    *offset = i;
    // The closing }} outside string literals, as Interpolate finds it.
    size_t j = i + 3;
    bool in_str = false;
    for (; j + 1 < text.size(); ++j) {
      if (text[j] == '\'') in_str = !in_str;
      if (!in_str && text[j] == '}' && text[j + 1] == '}') break;
    }
    if (j + 1 >= text.size()) return InvalidArgument("unterminated ${{ (no closing }})");
    RETURN_IF_ERROR(CheckExpression(text.substr(i + 3, j - i - 3), allowed, where));
    i = j + 2;
  }
  return Status::Ok();
}

}  // namespace kiln::workflow
