// Workflow YAML → model. Errors unwind as a ParseError confined to this file and become an
// InvalidArgument Status with FILE:LINE:COLUMN at ParseWorkflow's boundary.
#include "workflow/parse.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "base/fs.h"
#include "workflow/expr_check.h"
#include "workflow/parse_util.h"
#include "workflow/yaml_limits.h"

namespace kiln::workflow {
namespace {

const std::set<std::string> kWorkflowKeys = {"name",     "run-name", "on",          "env",
                                             "defaults", "jobs",     "permissions", "concurrency"};
const std::set<std::string> kJobKeys = {"name",
                                        "runs-on",
                                        "container",
                                        "needs",
                                        "env",
                                        "defaults",
                                        "if",
                                        "strategy",
                                        "outputs",
                                        "steps",
                                        "timeout-minutes",
                                        "continue-on-error",
                                        "snapshot",
                                        "services",
                                        "permissions",
                                        "concurrency",
                                        "environment",
                                        "uses",
                                        "with",
                                        "secrets"};
const std::set<std::string> kStepKeys = {"id",
                                         "name",
                                         "run",
                                         "uses",
                                         "with",
                                         "shell",
                                         "working-directory",
                                         "env",
                                         "if",
                                         "continue-on-error",
                                         "timeout-minutes"};

RunDefaults ParseDefaults(Ctx& c, const YAML::Node& n) {
  RunDefaults d;
  ExpectMap(c, n, "defaults");
  if (const YAML::Node run = n["run"]) {
    ExpectMap(c, run, "defaults.run");
    CheckKeys(c, run, {"shell", "working-directory"}, "defaults.run");
    if (run["shell"]) d.shell = Scalar(c, run["shell"], "shell");
    if (run["working-directory"])
      d.working_directory = Scalar(c, run["working-directory"], "working-directory");
  }
  return d;
}

Step ParseStep(Ctx& c, const YAML::Node& n, size_t index) {
  Step s = ParseStepKeys(c, n, kStepKeys, "step", "__step_" + std::to_string(index + 1));
  if (n["timeout-minutes"]) s.timeout_minutes = Number(c, n["timeout-minutes"], "timeout-minutes");
  return s;
}

RunsOn ParseRunsOn(Ctx& c, const YAML::Node& n) {
  RunsOn r;
  if (n.IsScalar()) {
    r.labels.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& l : n) r.labels.push_back(Scalar(c, l, "runs-on label"));
  } else if (n.IsMap()) {
    CheckKeys(c, n, {"size", "image", "group", "labels"}, "runs-on");
    if (n["size"]) r.size = Scalar(c, n["size"], "size");
    if (n["image"]) r.image = Scalar(c, n["image"], "image");
    if (n["group"]) r.group = Scalar(c, n["group"], "group");
    if (n["labels"]) {
      if (n["labels"].IsScalar())
        r.labels.push_back(n["labels"].Scalar());
      else
        for (const auto& l : n["labels"]) r.labels.push_back(Scalar(c, l, "label"));
    }
    if (r.image.empty() && r.labels.empty() && r.group.empty()) {
      c.Fail(n, "runs-on mapping needs `image`, `labels` or `group`");
    }
  } else {
    c.Fail(n, "runs-on must be a label, a list of labels or a mapping");
  }
  return r;
}

Job ParseJob(Ctx& c, const std::string& id, const YAML::Node& n) {
  ExpectMap(c, n, "job " + id);
  CheckKeys(c, n, kJobKeys, "job " + id);
  Job j;
  j.pos = c.PosOf(n);
  j.id = id;
  j.name = n["name"] ? Scalar(c, n["name"], "name") : id;
  if (n["uses"]) ParseJobCall(c, n, j);  // a reusable workflow: no runs-on, no steps
  if (!n["runs-on"] && j.uses.empty()) c.Fail(n, "job " + id + " has no `runs-on`");
  if (n["runs-on"]) j.runs_on = ParseRunsOn(c, n["runs-on"]);
  if (n["container"]) j.container = ParseContainer(c, n["container"], "container");
  if (const YAML::Node needs = n["needs"]) {
    if (needs.IsScalar())
      j.needs.push_back(needs.Scalar());
    else
      for (const auto& x : needs) j.needs.push_back(Scalar(c, x, "needs"));
  }
  if (n["env"]) j.env = ParseEnv(c, n["env"]);
  if (n["defaults"]) j.defaults = ParseDefaults(c, n["defaults"]);
  if (n["if"]) j.if_expr = StripExpr(Scalar(c, n["if"], "if"));
  if (const YAML::Node st = n["strategy"]) {
    ExpectMap(c, st, "strategy");
    if (st["matrix"]) {
      j.matrix = ToJson(c, st["matrix"]);
      j.matrix_pos = c.PosOf(st["matrix"]);
      if (st["matrix"].IsMap())
        for (const auto& kv : st["matrix"]) j.matrix_keys.push_back(kv.first.Scalar());
    }
    if (st["fail-fast"]) {
      std::string ff = Scalar(c, st["fail-fast"], "fail-fast");
      if (ff.find("${{") != std::string::npos)
        j.fail_fast_expr = ff;
      else
        j.fail_fast = Bool(c, st["fail-fast"], "fail-fast");
    }
    if (st["max-parallel"])
      j.max_parallel = static_cast<int>(Number(c, st["max-parallel"], "max-parallel"));
    for (const auto& kv : st) {
      const std::string key = kv.first.Scalar();
      if (key != "matrix" && key != "fail-fast" && key != "max-parallel")
        c.Fail(kv.first, "unknown key strategy." + key +
                             " (the keys of strategy are matrix, fail-fast, max-parallel)");
    }
  }
  if (const YAML::Node out = n["outputs"]) {
    ExpectMap(c, out, "outputs");
    for (const auto& kv : out) j.outputs[kv.first.Scalar()] = Scalar(c, kv.second, "output");
  }
  if (n["continue-on-error"])
    j.continue_on_error = Scalar(c, n["continue-on-error"], "continue-on-error");
  if (n["timeout-minutes"]) j.timeout_minutes = Number(c, n["timeout-minutes"], "timeout-minutes");
  if (n["snapshot"]) j.snapshot = ParseSnapshot(c, n["snapshot"]);
  if (n["services"]) j.services = ParseServices(c, n["services"]);
  if (!j.uses.empty()) return j;
  if (!n["steps"] || !n["steps"].IsSequence() || n["steps"].size() == 0) {
    c.Fail(n["steps"] ? n["steps"] : n, "job " + id + " needs a non-empty list of `steps`");
  }
  size_t i = 0;
  for (const auto& s : n["steps"]) {
    if (s.IsNull()) continue;  // an empty list item, as act tolerates (job-nil-step)
    j.steps.push_back(ParseStep(c, s, i++));
  }
  return j;
}

Workflow ParseDoc(Ctx& c, const YAML::Node& root) {
  ExpectMap(c, root, "workflow");
  CheckKeys(c, root, kWorkflowKeys, "workflow");
  Workflow w;
  w.file = c.file;
  w.name = root["name"] ? Scalar(c, root["name"], "name") : c.file;
  const YAML::Node on = root["on"];
  if (!on) c.Fail(root, "workflow has no `on` (the events that trigger it)");
  ParseOn(c, on, w);
  if (root["env"]) w.env = ParseEnv(c, root["env"]);
  if (root["defaults"]) w.defaults = ParseDefaults(c, root["defaults"]);
  const YAML::Node jobs = root["jobs"];
  if (!jobs || !jobs.IsMap() || jobs.size() == 0)
    c.Fail(jobs ? jobs : root, "workflow has no `jobs`");
  std::set<std::string> ids;
  for (const auto& kv : jobs) {
    CheckId(c, kv.first, kv.first.Scalar(), "job id");
    ids.insert(kv.first.Scalar());
  }
  for (const auto& kv : jobs) {
    Job j = ParseJob(c, kv.first.Scalar(), kv.second);
    for (const auto& need : j.needs) {
      if (!ids.count(need)) {
        c.Fail(kv.second["needs"],
               "job " + j.id + " needs \"" + need + "\", which is not a job in this workflow");
      }
    }
    w.jobs.push_back(std::move(j));
  }
  return w;
}

}  // namespace

Step ParseStepKeys(Ctx& c, const YAML::Node& n, const std::set<std::string>& keys,
                   const std::string& what, const std::string& default_id) {
  ExpectMap(c, n, "step");
  CheckKeys(c, n, keys, what);
  Step s;
  s.pos = c.PosOf(n);
  s.id = default_id;
  if (n["id"]) {
    s.id = Scalar(c, n["id"], "id");
    CheckId(c, n["id"], s.id, "step id");
  }
  if (n["name"]) s.name = Scalar(c, n["name"], "name");
  s.name_implicit = !n["name"];
  if (n["run"]) s.run = Scalar(c, n["run"], "run");
  if (n["uses"]) s.uses = Scalar(c, n["uses"], "uses");
  if (s.run.empty() == s.uses.empty()) c.Fail(n, "a step needs exactly one of `run` or `uses`");
  if (!s.uses.empty()) ParseUsesStep(c, n, s);
  if (n["shell"]) s.shell = Scalar(c, n["shell"], "shell");
  if (n["working-directory"])
    s.working_directory = Scalar(c, n["working-directory"], "working-directory");
  if (n["env"]) s.env = ParseEnv(c, n["env"]);
  if (n["if"]) s.if_expr = StripExpr(Scalar(c, n["if"], "if"));
  if (n["continue-on-error"])
    s.continue_on_error = Scalar(c, n["continue-on-error"], "continue-on-error");
  if (s.name.empty()) s.name = "Run " + FirstLine(s.run);
  return s;
}

Result<Workflow> ParseWorkflow(const std::string& text, const std::string& file) {
  Ctx c{file};
  RETURN_IF_ERROR(CheckYamlExpansion(text, file));
  try {
    YAML::Node root = YAML::Load(text);
    Workflow w = ParseDoc(c, root);
    RETURN_IF_ERROR(CheckWorkflowExpressions(root, text, file));
    return w;
  } catch (const ParseError& e) {
    return InvalidArgument(e.what());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Workflow> ParseWorkflowFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseWorkflow(text, path);
}

Result<std::vector<std::string>> WorkflowFiles(const std::string& path) {
  if (!IsDirectory(path)) {
    if (!PathExists(path)) return NotFound("no workflow file or directory " + path);
    return std::vector<std::string>{path};
  }
  ASSIGN_OR_RETURN(auto names, ListDir(path));
  std::vector<std::string> out;
  for (const auto& n : names) {
    bool yml = n.size() > 4 && (n.substr(n.size() - 4) == ".yml" ||
                                (n.size() > 5 && n.substr(n.size() - 5) == ".yaml"));
    if (yml) out.push_back(JoinPath(path, n));
  }
  if (out.empty()) return NotFound("no workflow files (*.yml, *.yaml) in " + path);
  return out;
}

}  // namespace kiln::workflow
