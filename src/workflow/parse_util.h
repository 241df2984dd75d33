// Helpers of the workflow parser (internal): typed reads of YAML nodes that fail with the
// node's FILE:LINE:COLUMN.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/json.h"
#include "workflow/model.h"

namespace kiln::workflow {

// Thrown only inside parse*.cc and caught by ParseWorkflow.
class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Ctx {
  std::string file;
  Pos PosOf(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    return Pos{file, m.line + 1, m.column + 1};
  }
  [[noreturn]] void Fail(const YAML::Node& n, const std::string& msg) const {
    throw ParseError(PosOf(n).ToString() + ": " + msg);
  }
};

void ExpectMap(const Ctx& c, const YAML::Node& n, const std::string& what);
void CheckKeys(const Ctx& c, const YAML::Node& n, const std::set<std::string>& allowed,
               const std::string& what);
std::string Scalar(const Ctx& c, const YAML::Node& n, const std::string& what);
// The lines of `text` with surrounding blanks (space, tab, CR) removed, empty ones left out:
// a multi-line `with:` value of one item per line (the snapshot action's `image`).
std::vector<std::string> NonEmptyLines(const std::string& text);
double Number(const Ctx& c, const YAML::Node& n, const std::string& what);
bool Bool(const Ctx& c, const YAML::Node& n, const std::string& what);
EnvMap ParseEnv(const Ctx& c, const YAML::Node& n);
// YAML → JSON (scalars that look like numbers or booleans become those).
Json ToJson(const Ctx& c, const YAML::Node& n);
// Fails unless `id` is a job or step id GitHub accepts: a letter or '_' first, then letters,
// digits, '-' or '_'. `what` is "job id" or "step id".
void CheckId(const Ctx& c, const YAML::Node& n, const std::string& id, const std::string& what);
// "${{ x }}" → "x"; anything else unchanged.
std::string StripExpr(const std::string& s);
std::string FirstLine(const std::string& s);

// parse_on.cc: `on:` into w.events, w.on (as JSON), the inputs of workflow_dispatch and
// workflow_call (types checked; a choice needs options) and workflow_call's output values.
void ParseOn(Ctx& c, const YAML::Node& on, Workflow& w);
// A job's reusable-workflow call (`uses:`, `with:`, `secrets:`; no steps, no runs-on).
void ParseJobCall(Ctx& c, const YAML::Node& n, Job& j);

// parse_snapshot.cc: a job's `snapshot:`, and the snapshot action step (`uses:` with `with:`).
SnapshotSpec ParseSnapshot(Ctx& c, const YAML::Node& n);
void ParseSnapshotStep(Ctx& c, const YAML::Node& n, Step& s);
bool IsSnapshotAction(const std::string& uses);

// parse_uses.cc: a step's `uses:` (its form checked: ./path, OWNER/REPO[/PATH]@REF,
// docker://IMAGE, or a snapshot action) and its `with:` (values kept as strings).
void ParseUsesStep(Ctx& c, const YAML::Node& n, Step& s);
// parse.cc: the keys a workflow step and a composite action's step share (id, name, run, uses
// and with, shell, working-directory, env, if, continue-on-error), after checking that `n` has
// only `keys`; `what` names the step kind in errors, `default_id` is the id when none is given.
Step ParseStepKeys(Ctx& c, const YAML::Node& n, const std::set<std::string>& keys,
                   const std::string& what, const std::string& default_id);
// The error for a malformed `uses:` value, or "" when its form is right.
std::string UsesFormError(const std::string& uses);

// parse_container.cc: `container:` (what = "container") or a service (a string = its image),
// and `services:` (a map of name → container).
Container ParseContainer(Ctx& c, const YAML::Node& n, const std::string& what);
std::map<std::string, Container> ParseServices(Ctx& c, const YAML::Node& n);

}  // namespace kiln::workflow
