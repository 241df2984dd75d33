#include "workflow/matrix_expr.h"

#include <cctype>
#include <string_view>

namespace kiln::workflow {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The expression inside a string that is exactly one `${{ … }}`, else false.
bool WholeExpression(const std::string& s, std::string* inner) {
  std::string_view t = Trim(s);
  if (t.size() < 5 || t.substr(0, 3) != "${{" || t.substr(t.size() - 2) != "}}") return false;
  if (t.find("${{", 3) != std::string_view::npos) return false;
  *inner = std::string(t.substr(3, t.size() - 5));
  return true;
}

bool IsInsert(const std::string& key) {
  std::string inner;
  return WholeExpression(key, &inner) && Trim(inner) == "insert";
}

Result<Json> EvalNode(const Json& v, const ExprContext& ctx);

Result<Json> EvalList(const Json& list, const ExprContext& ctx) {
  Json out = Json::array();
  for (const auto& item : list) {
    std::string inner;
    if (item.is_string() && WholeExpression(item.get<std::string>(), &inner)) {
      ASSIGN_OR_RETURN(Json val, Evaluate(inner, ctx));
      if (val.is_array()) {
        for (auto& e : val) out.push_back(std::move(e));  // spliced, as act merges it
      } else {
        out.push_back(std::move(val));
      }
      continue;
    }
    ASSIGN_OR_RETURN(Json val, EvalNode(item, ctx));
    out.push_back(std::move(val));
  }
  return out;
}

Result<Json> EvalMap(const Json& map, const ExprContext& ctx) {
  Json out = Json::object();
  for (auto it = map.begin(); it != map.end(); ++it) {
    ASSIGN_OR_RETURN(Json val, EvalNode(it.value(), ctx));
    if (IsInsert(it.key())) {
      if (!val.is_object())
        return InvalidArgument("${{ insert }} takes a mapping, not " + DumpJson(val));
      for (auto m = val.begin(); m != val.end(); ++m) out[m.key()] = m.value();
      continue;
    }
    ASSIGN_OR_RETURN(std::string key, Interpolate(it.key(), ctx));
    out[key] = std::move(val);
  }
  return out;
}

Result<Json> EvalNode(const Json& v, const ExprContext& ctx) {
  if (v.is_array()) return EvalList(v, ctx);
  if (v.is_object()) return EvalMap(v, ctx);
  if (!v.is_string()) return v;
  const std::string& s = v.get<std::string>();
  std::string inner;
  if (WholeExpression(s, &inner)) return Evaluate(inner, ctx);
  if (s.find("${{") == std::string::npos) return v;
  ASSIGN_OR_RETURN(std::string text, Interpolate(s, ctx));
  return Json(text);
}

}  // namespace

bool MatrixHasExpressions(const Json& matrix) {
  return !matrix.is_null() && DumpJson(matrix).find("${{") != std::string::npos;
}

bool MatrixReadsNeeds(const Json& matrix) {
  if (matrix.is_null()) return false;
  std::string text = DumpJson(matrix);
  for (size_t at = text.find("${{"); at != std::string::npos; at = text.find("${{", at + 3)) {
    size_t end = text.find("}}", at);
    if (text.substr(at, end == std::string::npos ? std::string::npos : end - at).find("needs") !=
        std::string::npos)
      return true;
  }
  return false;
}

Result<Json> EvaluateMatrix(const Json& matrix, const ExprContext& ctx) {
  auto val = EvalNode(matrix, ctx);
  if (!val.ok()) return InvalidArgument("strategy.matrix: " + val.status().message());
  if (!val->is_object()) {
    return InvalidArgument("strategy.matrix must evaluate to a mapping, not " +
                           (val->is_null() ? std::string("null") : DumpJson(*val)));
  }
  return val;
}

}  // namespace kiln::workflow
