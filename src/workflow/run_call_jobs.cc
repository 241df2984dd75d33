// Running reusable-workflow calls (run_call.h): the options of the called jobs, the caller's
// condition, and the caller's report from its called jobs'.
#include <cstdlib>

#include "workflow/expr.h"
#include "workflow/inputs.h"
#include "workflow/run_call.h"

namespace kiln::workflow {
namespace {

// The caller's context: its needs and matrix, and the inputs, secrets, vars and github of
// the level it runs at.
ExprContext CallerContext(const CallFrame& f, const RunOptions& outer, const Json& needs) {
  ExprContext ec;
  Json& c = ec.contexts;
  c["needs"] = needs;
  c["matrix"] = f.caller_run.matrix;
  c["github"] = outer.github.is_object() ? outer.github : Json::object();
  c["github"]["event_name"] = outer.event;
  if (outer.in_call) {
    c["inputs"] = InputsContext(*f.caller_wf, outer.inputs);
  } else {  // typed per the event, as the jobs at the top level see them (inputs.h)
    Json event = c["github"].contains("event") ? c["github"]["event"] : Json::object();
    auto inputs = InputsContext(*f.caller_wf, outer.event, event, outer.inputs);
    c["inputs"] = inputs.ok() ? *inputs : Json::object();
  }
  c["secrets"] = Json::object();
  for (const auto& [k, v] : outer.secrets) c["secrets"][k] = v;
  c["vars"] = Json::object();
  for (const auto& [k, v] : outer.vars) c["vars"][k] = v;
  return ec;
}

Status CheckType(const InputSpec& spec, const std::string& value, const std::string& where) {
  if (spec.type == "boolean" && value != "true" && value != "false") {
    return InvalidArgument(where + ": input " + spec.name + " is a boolean, not \"" + value + "\"");
  }
  if (spec.type == "number") {
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') {
      return InvalidArgument(where + ": input " + spec.name + " is a number, not \"" + value +
                             "\"");
    }
  }
  return Status::Ok();
}

}  // namespace

Json InputsContext(const Workflow& wf, const std::map<std::string, std::string>& inputs) {
  Json out = Json::object();
  for (const auto& [k, v] : inputs) {
    std::string type = "string";
    for (const auto& s : wf.call_inputs) {
      if (s.name == k) type = s.type;
    }
    if (type == "boolean") {
      out[k] = v == "true";
    } else if (type == "number") {
      out[k] = std::strtod(v.c_str(), nullptr);
    } else {
      out[k] = v;
    }
  }
  return out;
}

Result<RunOptions> CallOptions(const CallFrame& f, const RunOptions& outer,
                               const Json& caller_needs) {
  std::string where = f.caller->pos.ToString() + ": job " + f.caller->id;
  ExprContext ec = CallerContext(f, outer, caller_needs);
  ExprContext ec_with = ec;  // as on GitHub, `with:` has no secrets context (only `secrets:`)
  ec_with.contexts.erase("secrets");
  RunOptions o = outer;
  o.in_call = true;
  if (o.call_root_name.empty()) o.call_root_name = f.caller_wf->name;
  o.inputs.clear();
  for (const auto& spec : f.called->call_inputs) {
    auto given = f.caller->with.find(spec.name);
    std::string raw;
    if (given != f.caller->with.end()) {
      raw = given->second;
    } else if (spec.default_value) {
      raw = *spec.default_value;
    } else if (spec.required) {
      return InvalidArgument(where + ": input " + spec.name + " is required; give it in `with:`");
    } else {
      continue;
    }
    auto value = Interpolate(raw, ec_with);
    if (!value.ok()) return value.status().WithContext(where + ": with." + spec.name);
    RETURN_IF_ERROR(CheckType(spec, *value, where));
    o.inputs[spec.name] = *value;
  }
  if (!f.caller->secrets_inherit) {
    o.secrets.clear();
    for (const auto& [k, v] : f.caller->secrets) {
      auto value = Interpolate(v, ec);
      if (!value.ok()) return value.status().WithContext(where + ": secrets." + k);
      o.secrets[k] = *value;
    }
  }
  return o;
}

Result<bool> CallerCondition(const CallFrame& f, const RunOptions& outer, const Json& caller_needs,
                             JobStatus needs_status) {
  ExprContext ec = CallerContext(f, outer, caller_needs);
  ec.status = needs_status;
  return EvaluateCondition(f.caller->if_expr, ec);
}

JobReport JoinReport(const RunPlan& plan, size_t index,
                     const std::vector<std::optional<JobReport>>& reports,
                     const RunOptions& inner) {
  const PlannedJob& p = plan.jobs[index];
  const CallFrame& f = *p.call;
  JobReport r;
  r.workflow = p.wf->file;
  r.id = p.run.job->id;
  r.name = p.run.display;
  bool failed = false, cancelled = false, all_skipped = true;
  Json jobs = Json::object();
  for (size_t i : p.needs) {
    Outcome o = reports[i] ? reports[i]->result : Outcome::kCancelled;
    failed |= o == Outcome::kFailure;
    cancelled |= o == Outcome::kCancelled;
    all_skipped &= o == Outcome::kSkipped;
    if (plan.jobs[i].wf != f.called.get()) continue;  // a job of a nested call
    Json& j = jobs[plan.jobs[i].run.job->id];
    if (!j.is_object()) j = {{"result", OutcomeName(o)}, {"outputs", Json::object()}};
    if (o != Outcome::kSuccess) j["result"] = OutcomeName(o);
    if (reports[i]) {
      for (const auto& [k, v] : reports[i]->outputs) j["outputs"][k] = v;
    }
  }
  r.result = failed                            ? Outcome::kFailure
             : cancelled                       ? Outcome::kCancelled
             : all_skipped && !p.needs.empty() ? Outcome::kSkipped
                                               : Outcome::kSuccess;
  if (failed) r.error = "a job of " + f.called->file + " failed";
  ExprContext ec;
  ec.contexts["jobs"] = jobs;
  ec.contexts["inputs"] = InputsContext(*f.called, inner.inputs);
  for (const auto& [k, expr] : f.called->call_outputs) {
    auto v = Interpolate(expr, ec);
    if (!v.ok()) {
      r.result = Outcome::kFailure;
      r.error = f.called->file + ": output " + k + ": " + v.status().message();
      continue;
    }
    r.outputs[k] = *v;
  }
  return r;
}

}  // namespace kiln::workflow
