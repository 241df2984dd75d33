#include "workflow/inputs.h"

#include <cmath>
#include <cstdlib>

namespace kiln::workflow {
namespace {

Status Bad(const InputSpec& in, const std::string& what) {
  return InvalidArgument(in.pos.ToString() + ": input " + in.name + " " + what);
}

// The value as written (a string, or a JSON bool/number from a payload), typed.
Result<Json> Typed(const InputSpec& in, const Json& value) {
  std::string s = value.is_string() ? value.get<std::string>() : DumpJson(value);
  if (in.type == "boolean") {
    if (value.is_boolean()) return value;
    if (s == "true" || s == "false") return Json(s == "true");
    return Bad(in, "is a boolean: give true or false, not \"" + s + "\"");
  }
  if (in.type == "number") {
    if (value.is_number()) return value;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v))
      return Bad(in, "is a number, not \"" + s + "\"");
    if (v == std::floor(v) && std::fabs(v) < 9.0e15) return Json(static_cast<int64_t>(v));
    return Json(v);
  }
  if (in.type == "choice") {
    std::string list;
    for (const auto& o : in.options) {
      if (o == s) return Json(s);
      list += (list.empty() ? "" : ", ") + o;
    }
    return Bad(in, "is one of " + list + ", not \"" + s + "\"");
  }
  return Json(s);
}

}  // namespace

Result<Json> InputsContext(const Workflow& wf, const std::string& event, const Json& payload,
                           const std::map<std::string, std::string>& given) {
  Json ctx = Json::object();
  const std::vector<InputSpec>* specs = event == "workflow_dispatch" ? &wf.dispatch_inputs
                                        : event == "workflow_call"   ? &wf.call_inputs
                                                                     : nullptr;
  if (specs == nullptr) return ctx;
  const Json* from_payload = nullptr;
  if (payload.is_object() && payload.contains("inputs") && payload["inputs"].is_object())
    from_payload = &payload["inputs"];
  for (const InputSpec& in : *specs) {
    Json value;
    if (auto it = given.find(in.name); it != given.end()) {
      value = it->second;
    } else if (from_payload && from_payload->contains(in.name) &&
               !(*from_payload)[in.name].is_null()) {
      value = (*from_payload)[in.name];
    } else if (in.default_value) {
      value = *in.default_value;
    } else if (in.required) {
      return Bad(in, "is required (on." + event + ".inputs." + in.name +
                         "): give it with --input " + in.name +
                         "=VALUE, --input-file, or in the payload's inputs (-e FILE)");
    } else {
      ctx[in.name] = in.type == "boolean" ? Json(false) : Json("");
      continue;
    }
    ASSIGN_OR_RETURN(ctx[in.name], Typed(in, value));
  }
  return ctx;
}

}  // namespace kiln::workflow
