#include "workflow/expr_parser.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace kiln::workflow {
namespace {

// Case-insensitive object lookup (contexts and properties are case-insensitive in GitHub).
Json Lookup(const Json& obj, const std::string& key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it != obj.end()) return *it;
  for (auto i = obj.begin(); i != obj.end(); ++i) {
    if (i.key().size() == key.size() &&
        std::equal(key.begin(), key.end(), i.key().begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return i.value();
    }
  }
  return nullptr;
}

// A value that came out of `.*`: property access maps over its elements.
constexpr const char* kFiltered = "\x01filtered";

Json Property(const Json& v, const std::string& key) {
  if (v.is_object() && v.contains(kFiltered)) {
    Json out = Json::array();
    for (const auto& e : v[kFiltered]) {
      Json p = Lookup(e, key);
      if (!p.is_null()) out.push_back(p);
    }
    return Json{{kFiltered, out}};
  }
  return Lookup(v, key);
}

Json Unwrap(Json v) {
  if (v.is_object() && v.contains(kFiltered)) return v[kFiltered];
  return v;
}

}  // namespace

Status ExpressionError(const std::string& src, const std::string& what) {
  std::string shown = src.size() > 80 ? src.substr(0, 77) + "..." : src;
  return InvalidArgument("expression \"" + shown + "\": " + what);
}

Status ExprParser::Error(const std::string& what) const { return ExpressionError(src_, what); }

Status ExprParser::Enter() {
  if (++depth_ > kMaxExprDepth) {
    return Error("nested deeper than " + std::to_string(kMaxExprDepth) + " levels");
  }
  return Status::Ok();
}

Result<std::vector<Token>> LexExpression(const std::string& src) {
  auto error = [&](const std::string& what) { return ExpressionError(src, what); };
  std::vector<Token> tokens;
  if (src.size() > kMaxExprLength) {
    return error("longer than " + std::to_string(kMaxExprLength) + " bytes");
  }
  size_t i = 0;
  while (i < src.size()) {
    char c = src[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    size_t start = i;
    if (c == '\'') {
      std::string s;
      ++i;
      for (;; ++i) {
        if (i >= src.size()) return error("unterminated string");
        if (src[i] == '\'') {
          if (i + 1 < src.size() && src[i + 1] == '\'') {
            s += '\'';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        s += src[i];
      }
      t = {Token::kString, s, 0};
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < src.size() &&
                std::isdigit(static_cast<unsigned char>(src[i + 1])))) {
      char* end = nullptr;
      double d = std::strtod(src.c_str() + i, &end);
      size_t n = static_cast<size_t>(end - (src.c_str() + i));
      if (src.compare(i, 2, "0x") == 0)
        d = static_cast<double>(std::strtoll(src.c_str() + i, &end, 16)),
        n = static_cast<size_t>(end - (src.c_str() + i));
      t = {Token::kNumber, src.substr(i, n), d};
      i += n;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < src.size() &&
             (std::isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_' || src[j] == '-'))
        ++j;
      t = {Token::kIdent, src.substr(i, j - i), 0};
      i = j;
    } else {
      static const char* kOps[] = {"==", "!=", "<=", ">=", "&&", "||", "<", ">",
                                   "!",  "(",  ")",  "[",  "]",  ".",  ",", "*"};
      bool found = false;
      for (const char* op : kOps) {
        if (src.compare(i, std::strlen(op), op) == 0) {
          t = {Token::kOp, op, 0};
          i += std::strlen(op);
          found = true;
          break;
        }
      }
      if (!found) return error(std::string("unexpected character '") + c + "'");
    }
    t.offset = start;
    tokens.push_back(t);
  }
  tokens.push_back(Token{Token::kEnd, "", 0, src.size()});
  return tokens;
}

Status ExprParser::Lex() {
  ASSIGN_OR_RETURN(tokens_, LexExpression(src_));
  return Status::Ok();
}

bool ExprParser::Accept(const std::string& op) {
  if (tokens_[pos_].kind == Token::kOp && tokens_[pos_].text == op) {
    ++pos_;
    return true;
  }
  return false;
}

Result<Json> ExprParser::Run() {
  RETURN_IF_ERROR(Lex());
  ASSIGN_OR_RETURN(Json v, Or());
  if (tokens_[pos_].kind != Token::kEnd) return Error("unexpected \"" + tokens_[pos_].text + "\"");
  return Unwrap(v);
}

Result<Json> ExprParser::Or() {
  ASSIGN_OR_RETURN(Json left, And());
  while (Accept("||")) {
    ASSIGN_OR_RETURN(Json right, And());
    left = Truthy(Unwrap(left)) ? Unwrap(left) : Unwrap(right);
  }
  return left;
}

Result<Json> ExprParser::And() {
  ASSIGN_OR_RETURN(Json left, Equality());
  while (Accept("&&")) {
    ASSIGN_OR_RETURN(Json right, Equality());
    left = !Truthy(Unwrap(left)) ? Unwrap(left) : Unwrap(right);
  }
  return left;
}

Result<Json> ExprParser::Equality() {
  ASSIGN_OR_RETURN(Json left, Comparison());
  for (;;) {
    bool eq = Accept("==");
    if (!eq && !Accept("!=")) return left;
    ASSIGN_OR_RETURN(Json right, Comparison());
    bool same = LooseEquals(Unwrap(left), Unwrap(right));
    left = eq ? same : !same;
  }
}

Result<Json> ExprParser::Comparison() {
  ASSIGN_OR_RETURN(Json left, Unary());
  for (;;) {
    std::string op;
    for (const char* o : {"<=", ">=", "<", ">"}) {
      if (Accept(o)) {
        op = o;
        break;
      }
    }
    if (op.empty()) return left;
    ASSIGN_OR_RETURN(Json right, Unary());
    int c = LooseCompare(Unwrap(left), Unwrap(right));
    bool r = c != 2 && ((op == "<" && c < 0) || (op == "<=" && c <= 0) || (op == ">" && c > 0) ||
                        (op == ">=" && c >= 0));
    left = r;
  }
}

Result<Json> ExprParser::Unary() {
  if (Accept("!")) {
    RETURN_IF_ERROR(Enter());
    ASSIGN_OR_RETURN(Json v, Unary());
    Leave();
    return Json(!Truthy(Unwrap(v)));
  }
  return Postfix();
}

Result<Json> ExprParser::Postfix() {
  ASSIGN_OR_RETURN(Json v, Primary());
  for (;;) {
    if (Accept(".")) {
      if (Accept("*")) {
        Json base = Unwrap(v), items = Json::array();
        if (base.is_object())
          for (auto& e : base) items.push_back(e);
        if (base.is_array()) items = base;
        v = Json{{kFiltered, items}};
        continue;
      }
      if (tokens_[pos_].kind != Token::kIdent) return Error("expected a property name after '.'");
      v = Property(v, tokens_[pos_++].text);
    } else if (Accept("[")) {
      RETURN_IF_ERROR(Enter());
      ASSIGN_OR_RETURN(Json key, Or());
      Leave();
      if (!Accept("]")) return Error("expected ']'");
      Json base = Unwrap(v);
      key = Unwrap(key);
      if (base.is_array() && key.is_number()) {
        double i = key.get<double>();
        v = (i >= 0 && i < static_cast<double>(base.size())) ? base[static_cast<size_t>(i)]
                                                             : Json();
      } else {
        v = Property(v, ToDisplayString(key));
      }
    } else {
      return v;
    }
  }
}

Result<Json> ExprParser::Primary() {
  Token t = tokens_[pos_];
  if (t.kind == Token::kEnd) return Error("unexpected end");
  ++pos_;
  if (t.kind == Token::kNumber) return Json(t.number);
  if (t.kind == Token::kString) return Json(t.text);
  if (t.kind == Token::kOp && t.text == "(") {
    RETURN_IF_ERROR(Enter());
    ASSIGN_OR_RETURN(Json v, Or());
    Leave();
    if (!Accept(")")) return Error("expected ')'");
    return v;
  }
  if (t.kind != Token::kIdent) return Error("unexpected \"" + t.text + "\"");
  if (t.text == "true") return Json(true);
  if (t.text == "false") return Json(false);
  if (t.text == "null") return Json();
  if (t.text == "NaN") return Json(std::nan(""));
  if (t.text == "Infinity") return Json(INFINITY);
  if (Accept("(")) return Call(t.text);
  return Lookup(ctx_.contexts, t.text);
}

Result<Json> ExprParser::Call(const std::string& name) {
  std::vector<Json> args;
  RETURN_IF_ERROR(Enter());
  if (!Accept(")")) {
    for (;;) {
      ASSIGN_OR_RETURN(Json a, Or());
      args.push_back(Unwrap(a));
      if (Accept(")")) break;
      if (!Accept(",")) return Error("expected ',' or ')' in call of " + name);
    }
  }
  Leave();
  auto r = CallFunction(name, args, ctx_);
  if (!r.ok()) return Error(r.status().message());
  return r;
}

}  // namespace kiln::workflow
