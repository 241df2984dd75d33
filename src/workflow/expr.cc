#include "workflow/expr.h"

#include <cmath>

#include "workflow/expr_parser.h"

namespace kiln::workflow {

bool Truthy(const Json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) {
    double d = v.get<double>();
    return d != 0 && !std::isnan(d);
  }
  if (v.is_string()) return !v.get<std::string>().empty();
  return true;
}

std::string ToDisplayString(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", d);
    return buf;
  }
  return DumpJson(v, 2);
}

Result<Json> Evaluate(const std::string& expr, const ExprContext& ctx) {
  ExprParser p(expr, ctx);
  return p.Run();
}

Result<bool> EvaluateCondition(const std::string& expr, const ExprContext& ctx) {
  std::string e = expr;
  if (e.empty()) e = "success()";
  bool has_status = false;
  for (const char* f : {"success(", "failure(", "always(", "cancelled("}) {
    if (e.find(f) != std::string::npos) has_status = true;
  }
  if (!has_status) e = "success() && (" + e + ")";
  ASSIGN_OR_RETURN(Json v, Evaluate(e, ctx));
  return Truthy(v);
}

Result<std::string> Interpolate(const std::string& text, const ExprContext& ctx) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${{", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    // Find the closing }} outside string literals.
    size_t j = open + 3;
    bool in_str = false;
    for (; j + 1 < text.size(); ++j) {
      if (text[j] == '\'') in_str = !in_str;
      if (!in_str && text[j] == '}' && text[j + 1] == '}') break;
    }
    if (j + 1 >= text.size()) return InvalidArgument("unclosed ${{ in \"" + text + "\"");
    ASSIGN_OR_RETURN(Json v, Evaluate(text.substr(open + 3, j - open - 3), ctx));
    out += ToDisplayString(v);
    i = j + 2;
  }
  return out;
}

}  // namespace kiln::workflow
