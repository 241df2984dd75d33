// `on:`: the events, the whole mapping as JSON, and the inputs (and outputs) that
// workflow_dispatch and workflow_call declare.
#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

const std::set<std::string> kInputKeys = {"description", "required", "default",
                                          "type",        "options",  "deprecationMessage"};

InputSpec ParseInput(Ctx& c, const std::string& name, const YAML::Node& n, bool call) {
  InputSpec in;
  in.pos = c.PosOf(n);
  in.name = name;
  if (n.IsNull()) return in;
  ExpectMap(c, n, "input " + name);
  CheckKeys(c, n, kInputKeys, "input " + name);
  if (n["description"]) in.description = Scalar(c, n["description"], "description");
  if (n["required"]) in.required = Bool(c, n["required"], "required");
  if (n["default"]) in.default_value = Scalar(c, n["default"], "default");
  if (n["type"]) in.type = Scalar(c, n["type"], "type");
  const std::set<std::string> types =
      call ? std::set<std::string>{"string", "boolean", "number"}
           : std::set<std::string>{"string", "boolean", "number", "choice", "environment"};
  if (!types.count(in.type)) {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
    c.Fail(n["type"], "input " + name + " has type \"" + in.type + "\"; use one of " + list);
  }
  if (n["options"]) {
    if (!n["options"].IsSequence()) c.Fail(n["options"], "options must be a list");
    for (const auto& o : n["options"]) in.options.push_back(Scalar(c, o, "option"));
  }
  if (in.type == "choice" && in.options.empty())
    c.Fail(n, "input " + name + " is a choice: give its `options:`");
  return in;
}

std::vector<InputSpec> ParseInputs(Ctx& c, const YAML::Node& trigger, bool call) {
  std::vector<InputSpec> out;
  if (!trigger || !trigger.IsMap() || !trigger["inputs"]) return out;
  const YAML::Node inputs = trigger["inputs"];
  if (inputs.IsNull()) return out;
  ExpectMap(c, inputs, "inputs");
  for (const auto& kv : inputs) out.push_back(ParseInput(c, kv.first.Scalar(), kv.second, call));
  return out;
}

}  // namespace

void ParseOn(Ctx& c, const YAML::Node& on, Workflow& w) {
  if (on.IsScalar()) {
    w.events.push_back(on.Scalar());
  } else if (on.IsSequence()) {
    for (const auto& e : on) w.events.push_back(Scalar(c, e, "event"));
  } else if (on.IsMap()) {
    for (const auto& kv : on) w.events.push_back(kv.first.Scalar());
  }
  w.on = ToJson(c, on);
  if (!on.IsMap()) return;
  w.dispatch_inputs = ParseInputs(c, on["workflow_dispatch"], false);
  const YAML::Node call = on["workflow_call"];
  w.call_inputs = ParseInputs(c, call, true);
  if (call && call.IsMap() && call["outputs"] && call["outputs"].IsMap()) {
    for (const auto& kv : call["outputs"]) {
      if (kv.second.IsMap() && kv.second["value"])
        w.call_outputs[kv.first.Scalar()] = Scalar(c, kv.second["value"], "output value");
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
