// libFuzzer target: the `${{ }}` expression language. The input is split at the first NUL into
// an expression and a JSON document of contexts (when it parses), then evaluated, as a
// condition, and interpolated as text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/expr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string expr = input.substr(0, nul);
  kiln::workflow::ExprContext ctx;
  ctx.contexts = kiln::Json::parse(R"({"env": {"A": "1", "BAD": ""},
      "steps": {"s": {"outputs": {"x": "[1, {\"a\": 2}]"}, "outcome": "success"}},
      "matrix": {"os": ["linux", "mac"], "n": 3}, "github": {"event_name": "push"}})");
  ctx.contexts["env"]["BAD"] = std::string("\xff\xfe not utf-8");
  if (nul != std::string::npos) {
    auto extra = kiln::ParseJson(input.substr(nul + 1), "contexts");
    if (extra.ok() && extra->is_object()) ctx.contexts["fuzz"] = *extra;
  }
  auto v = kiln::workflow::Evaluate(expr, ctx);
  if (v.ok()) (void)kiln::workflow::ToDisplayString(*v);
  (void)kiln::workflow::EvaluateCondition(expr, ctx);
  (void)kiln::workflow::Interpolate(expr, ctx);
  return 0;
}
