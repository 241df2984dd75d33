// Expression functions and GitHub's loose comparison rules.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "workflow/expr_parser.h"
#include "workflow/hash_files.h"

namespace kiln::workflow {
namespace {

// The longest string format() and join() build (repeating one big value must not exhaust memory).
constexpr size_t kMaxBuiltString = 64 << 20;

Status TooLong(const char* fn) {
  return InvalidArgument(std::string(fn) + ": result longer than " +
                         std::to_string(kMaxBuiltString) + " bytes");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<Json> Format(const std::vector<Json>& args) {
  if (args.empty()) return InvalidArgument("format needs a format string");
  std::string f = ToDisplayString(args[0]), out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    if (f[i] == '}' && i + 1 < f.size() && f[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (f[i] == '{') {
      size_t close = f.find('}', i);
      if (close == std::string::npos) return InvalidArgument("format: unclosed '{'");
      std::string index = f.substr(i + 1, close - i - 1);
      if (index.empty() || index.size() > 6 ||
          index.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgument("format: \"{" + index + "}\" is not an argument index");
      }
      size_t n = std::stoul(index);
      if (n + 1 >= args.size()) return InvalidArgument("format: no argument {" + index + "}");
      out += ToDisplayString(args[n + 1]);
      if (out.size() > kMaxBuiltString) return TooLong("format");
      i = close;
      continue;
    }
    out += f[i];
  }
  return Json(out);
}

}  // namespace

double ToNumber(const Json& v) {
  if (v.is_null()) return 0;
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
    if (a == std::string::npos) return 0;
    s = s.substr(a, b - a + 1);
    char* end = nullptr;
    double d = s.rfind("0x", 0) == 0 ? static_cast<double>(std::strtoll(s.c_str(), &end, 16))
                                     : std::strtod(s.c_str(), &end);
    return *end == '\0' ? d : std::nan("");
  }
  return std::nan("");
}

bool LooseEquals(const Json& a, const Json& b) {
  if (a.is_string() && b.is_string())
    return Lower(a.get<std::string>()) == Lower(b.get<std::string>());
  if ((a.is_object() || a.is_array()) || (b.is_object() || b.is_array())) return &a == &b;
  if (a.type() == b.type() && !a.is_number()) return a == b;
  double x = ToNumber(a), y = ToNumber(b);
  return !std::isnan(x) && !std::isnan(y) && x == y;
}

int LooseCompare(const Json& a, const Json& b) {
  if (a.is_string() && b.is_string()) {
    std::string x = Lower(a.get<std::string>()), y = Lower(b.get<std::string>());
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = ToNumber(a), y = ToNumber(b);
  if (std::isnan(x) || std::isnan(y)) return 2;
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<Json> CallFunction(const std::string& raw, const std::vector<Json>& args,
                          const ExprContext& ctx) {
  std::string name = Lower(raw);
  auto need = [&](size_t n) -> Status {
    if (args.size() < n)
      return InvalidArgument(raw + " needs " + std::to_string(n) + " argument(s)");
    return Status::Ok();
  };
  if (name == "success") return Json(ctx.status == JobStatus::kSuccess);
  if (name == "failure") return Json(ctx.status == JobStatus::kFailure);
  if (name == "cancelled") return Json(ctx.status == JobStatus::kCancelled);
  if (name == "always") return Json(true);
  if (name == "contains") {
    RETURN_IF_ERROR(need(2));
    if (args[0].is_array()) {
      for (const auto& e : args[0])
        if (LooseEquals(e, args[1])) return Json(true);
      return Json(false);
    }
    return Json(Lower(ToDisplayString(args[0])).find(Lower(ToDisplayString(args[1]))) !=
                std::string::npos);
  }
  if (name == "startswith" || name == "endswith") {
    RETURN_IF_ERROR(need(2));
    std::string s = Lower(ToDisplayString(args[0])), p = Lower(ToDisplayString(args[1]));
    if (p.size() > s.size()) return Json(false);
    return Json(name == "startswith" ? s.compare(0, p.size(), p) == 0
                                     : s.compare(s.size() - p.size(), p.size(), p) == 0);
  }
  if (name == "format") return Format(args);
  if (name == "case") {  // case(pred1, val1, ..., default): the value of the first true pred.
    if (args.size() < 3 || args.size() % 2 == 0)
      return InvalidArgument("case() takes an odd number of arguments, at least 3");
    for (size_t i = 0; i + 1 < args.size(); i += 2)
      if (Truthy(args[i])) return args[i + 1];
    return args.back();
  }
  if (name == "join") {
    RETURN_IF_ERROR(need(1));
    std::string sep = args.size() > 1 ? ToDisplayString(args[1]) : ",";
    if (!args[0].is_array()) return Json(ToDisplayString(args[0]));
    std::string out;
    for (size_t i = 0; i < args[0].size(); ++i) {
      out += (i ? sep : "") + ToDisplayString(args[0][i]);
      if (out.size() > kMaxBuiltString) return TooLong("join");
    }
    return Json(out);
  }
  if (name == "tojson") {
    RETURN_IF_ERROR(need(1));
    return Json(DumpJson(args[0], 2));
  }
  if (name == "fromjson") {
    RETURN_IF_ERROR(need(1));
    auto j = ParseJson(ToDisplayString(args[0]), "fromJSON");
    if (!j.ok()) {
      // The parser's "last read: '…'" quotes the text, which may be a secret: left out.
      std::string m = j.status().message();
      return InvalidArgument(m.substr(0, m.find("; last read")));
    }
    return *j;
  }
  if (name == "hashfiles") {
    RETURN_IF_ERROR(need(1));
    std::vector<std::string> patterns;
    for (const auto& a : args) patterns.push_back(ToDisplayString(a));
    const Json& github = ctx.contexts.contains("github") ? ctx.contexts["github"] : Json();
    std::string in_box =
        github.is_object() && github.contains("workspace") && github["workspace"].is_string()
            ? github["workspace"].get<std::string>()
            : "";
    ASSIGN_OR_RETURN(std::string hash, HashFiles(ctx.workspace_host, in_box, patterns));
    return Json(hash);
  }
  return InvalidArgument("unknown function " + raw + "()");
}

}  // namespace kiln::workflow
