// action.yml / action.yaml → Action (action_model.h), with FILE:LINE:COLUMN errors.
#include "base/fs.h"
#include "workflow/action_model.h"
#include "workflow/parse_util.h"
#include "workflow/yaml_limits.h"

namespace kiln::workflow {
namespace {

const std::set<std::string> kCompositeStepKeys = {"id",
                                                  "name",
                                                  "run",
                                                  "uses",
                                                  "with",
                                                  "shell",
                                                  "working-directory",
                                                  "env",
                                                  "if",
                                                  "continue-on-error"};

Step ParseCompositeStep(Ctx& c, const YAML::Node& n, size_t index) {
  Step s = ParseStepKeys(c, n, kCompositeStepKeys, "composite step",
                         "__composite_" + std::to_string(index + 1));
  if (!s.run.empty() && s.shell.empty()) {
    c.Fail(n, "a `run` step of a composite action needs `shell` (e.g. shell: bash), as on GitHub");
  }
  return s;
}

void ParseInputs(Ctx& c, const YAML::Node& n, Action& a) {
  ExpectMap(c, n, "inputs");
  for (const auto& kv : n) {
    ActionInput in;
    in.name = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (!v.IsNull()) {
      ExpectMap(c, v, "input " + in.name);
      // GitHub's runner ignores other keys here (`type:`, `options:` in many actions).
      if (v["description"]) in.description = Scalar(c, v["description"], "description");
      if (v["required"]) in.required = Bool(c, v["required"], "required");
      if (v["default"]) in.default_value = Scalar(c, v["default"], "default");
    }
    a.inputs.push_back(std::move(in));
  }
}

void ParseOutputs(Ctx& c, const YAML::Node& n, Action& a, bool composite) {
  ExpectMap(c, n, "outputs");
  for (const auto& kv : n) {
    ActionOutput out;
    out.name = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (!v.IsNull()) {
      ExpectMap(c, v, "output " + out.name);
      if (v["value"]) out.value = Scalar(c, v["value"], "value");
    }
    if (composite && !v["value"])
      c.Fail(v.IsNull() ? kv.first : v, "output " + out.name +
                                            " of a composite action "
                                            "needs `value`");
    a.outputs.push_back(std::move(out));
  }
}

std::vector<std::string> Args(Ctx& c, const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n.IsSequence()) c.Fail(n, "args must be a list of strings");
  for (const auto& a : n) out.push_back(Scalar(c, a, "args item"));
  return out;
}

// node12, node16, node20, node24, …: any nodeNN with NN ≥ 12 (kiln runs the image's node).
bool IsNodeVersion(const std::string& using_) {
  if (using_.size() < 6 || using_.size() > 8 || using_.rfind("node", 0) != 0) return false;
  for (size_t i = 4; i < using_.size(); ++i)
    if (using_[i] < '0' || using_[i] > '9') return false;
  return std::stoi(using_.substr(4)) >= 12;
}

void ParseRuns(Ctx& c, const YAML::Node& r, Action& a) {
  ExpectMap(c, r, "runs");
  a.runs_pos = c.PosOf(r);
  if (!r["using"]) c.Fail(r, "runs needs `using` (composite, docker or nodeNN: node20, node24, …)");
  a.using_ = Scalar(c, r["using"], "using");
  if (a.using_ == "composite") {
    a.kind = ActionKind::kComposite;
    CheckKeys(c, r, {"using", "steps"}, "runs");
    if (!r["steps"] || !r["steps"].IsSequence()) c.Fail(r, "a composite action needs `steps`");
    size_t i = 0;
    for (const auto& s : r["steps"]) a.steps.push_back(ParseCompositeStep(c, s, i++));
  } else if (a.using_ == "docker") {
    a.kind = ActionKind::kDocker;
    CheckKeys(c, r,
              {"using", "image", "entrypoint", "args", "env", "pre-entrypoint", "post-entrypoint",
               "pre-if", "post-if"},
              "runs");
    if (!r["image"]) c.Fail(r, "a docker action needs `image` (Dockerfile or docker://IMAGE)");
    a.image = Scalar(c, r["image"], "image");
    if (r["entrypoint"]) a.entrypoint = Scalar(c, r["entrypoint"], "entrypoint");
    if (r["pre-entrypoint"]) a.pre_entrypoint = Scalar(c, r["pre-entrypoint"], "pre-entrypoint");
    if (r["post-entrypoint"])
      a.post_entrypoint = Scalar(c, r["post-entrypoint"], "post-entrypoint");
    if (r["args"]) a.args = Args(c, r["args"]);
    if (r["env"]) a.env = ParseEnv(c, r["env"]);
  } else if (IsNodeVersion(a.using_)) {
    a.kind = ActionKind::kNode;
    CheckKeys(c, r, {"using", "main", "pre", "post", "pre-if", "post-if"}, "runs");
    if (!r["main"]) c.Fail(r, "a " + a.using_ + " action needs `main` (its script)");
    a.main = Scalar(c, r["main"], "main");
    if (r["pre"]) a.pre = Scalar(c, r["pre"], "pre");
    if (r["post"]) a.post = Scalar(c, r["post"], "post");
  } else {
    c.Fail(r["using"], "runs.using \"" + a.using_ +
                           "\" is not one kiln runs (composite, docker, or nodeNN with NN ≥ 12: "
                           "node20, node24, …)");
  }
  if (r["pre-if"]) a.pre_if = StripExpr(Scalar(c, r["pre-if"], "pre-if"));
  if (r["post-if"]) a.post_if = StripExpr(Scalar(c, r["post-if"], "post-if"));
}

}  // namespace

Result<Action> ParseAction(const std::string& yaml, const std::string& file) {
  Ctx c{file};
  RETURN_IF_ERROR(CheckYamlExpansion(yaml, file));
  try {
    YAML::Node root = YAML::Load(yaml);
    ExpectMap(c, root, "action");
    CheckKeys(c, root, {"name", "author", "description", "inputs", "outputs", "runs", "branding"},
              "action");
    Action a;
    a.file = file;
    if (root["name"]) a.name = Scalar(c, root["name"], "name");
    if (!root["runs"]) c.Fail(root, "the action has no `runs`");
    ParseRuns(c, root["runs"], a);
    if (root["inputs"]) ParseInputs(c, root["inputs"], a);
    if (root["outputs"]) ParseOutputs(c, root["outputs"], a, a.kind == ActionKind::kComposite);
    return a;
  } catch (const ParseError& e) {
    return InvalidArgument(e.what());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Action> ParseActionDir(const std::string& dir) {
  for (const char* name : {"action.yml", "action.yaml"}) {
    std::string path = JoinPath(dir, name);
    if (!PathExists(path)) continue;
    ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    return ParseAction(text, path);
  }
  return NotFound("no action.yml or action.yaml in " + dir);
}

}  // namespace kiln::workflow
