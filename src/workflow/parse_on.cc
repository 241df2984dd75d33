// `on:` beyond the event names: the inputs of workflow_dispatch and workflow_call, and
// workflow_call's outputs (parse_util.h).
#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

std::vector<InputSpec> ParseInputs(Ctx& c, const YAML::Node& n, bool call) {
  std::vector<InputSpec> out;
  if (!n) return out;
  ExpectMap(c, n, "inputs");
  for (const auto& kv : n) {
    InputSpec in;
    in.pos = c.PosOf(kv.first);
    in.name = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (v && !v.IsNull()) {
      ExpectMap(c, v, "input " + in.name);
      CheckKeys(c, v,
                {"description", "required", "default", "type", "options", "deprecationMessage"},
                "input " + in.name);
      if (v["description"]) in.description = Scalar(c, v["description"], "description");
      if (v["required"]) in.required = Bool(c, v["required"], "required");
      if (v["default"]) in.default_value = Scalar(c, v["default"], "default");
      if (v["type"]) in.type = Scalar(c, v["type"], "type");
      if (v["options"]) {
        for (const auto& o : v["options"]) in.options.push_back(Scalar(c, o, "option"));
      }
    }
    bool known = in.type == "string" || in.type == "boolean" || in.type == "number" ||
                 (!call && (in.type == "choice" || in.type == "environment"));
    if (!known) {
      c.Fail(v["type"], "input " + in.name + ": type " + in.type + " is not one of " +
                            (call ? "string, boolean, number"
                                  : "string, boolean, number, choice, environment"));
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace

void ParseOnInputs(Ctx& c, const YAML::Node& on, Workflow& w) {
  if (!on || !on.IsMap()) return;
  if (const YAML::Node d = on["workflow_dispatch"]; d && d.IsMap()) {
    w.dispatch_inputs = ParseInputs(c, d["inputs"], false);
  }
  const YAML::Node call = on["workflow_call"];
  if (!call || !call.IsMap()) return;
  w.call_inputs = ParseInputs(c, call["inputs"], true);
  if (const YAML::Node outs = call["outputs"]) {
    ExpectMap(c, outs, "workflow_call.outputs");
    for (const auto& kv : outs) {
      ExpectMap(c, kv.second, "output " + kv.first.Scalar());
      if (!kv.second["value"]) c.Fail(kv.second, "output " + kv.first.Scalar() + " needs `value`");
      w.call_outputs[kv.first.Scalar()] = Scalar(c, kv.second["value"], "value");
    }
  }
}

void ParseJobCall(Ctx& c, const YAML::Node& n, Job& j) {
  if (n["steps"]) {
    c.Fail(n["steps"], "job " + j.id +
                           " calls a reusable workflow (`uses:`) and so can have no "
                           "`steps`; put them in a job of their own");
  }
  for (const char* key : {"runs-on", "container", "services", "env", "defaults", "timeout-minutes",
                          "continue-on-error", "snapshot", "outputs"}) {
    if (n[key]) {
      c.Fail(n[key], "job " + j.id + " calls a reusable workflow: `" + key +
                         "` belongs in the called workflow's jobs");
    }
  }
  j.uses = Scalar(c, n["uses"], "uses");
  if (const YAML::Node w = n["with"]) {
    ExpectMap(c, w, "with");
    for (const auto& kv : w) j.with[kv.first.Scalar()] = Scalar(c, kv.second, "with");
  }
  if (const YAML::Node s = n["secrets"]) {
    if (s.IsScalar() && s.Scalar() == "inherit") {
      j.secrets_inherit = true;
    } else {
      ExpectMap(c, s, "secrets (a mapping, or `inherit`)");
      for (const auto& kv : s) j.secrets[kv.first.Scalar()] = Scalar(c, kv.second, "secret");
    }
  }
}

}  // namespace kiln::workflow
