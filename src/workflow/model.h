// A GitHub Actions workflow as kiln runs it. Built by ParseWorkflow (parse.h); values that may
// hold `${{ }}` expressions stay strings until the runner evaluates them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"

namespace kiln::workflow {

// Where something was written, for messages: "ci.yml:12:7".
struct Pos {
  std::string file;
  int line = 0, column = 0;  // 1-based
  std::string ToString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

using EnvMap = std::vector<std::pair<std::string, std::string>>;  // ordered, as written

struct RunDefaults {
  std::string shell;
  std::string working_directory;
};

struct Step {
  Pos pos;
  std::string id;  // given or generated ("__run_2")
  std::string name;
  // No `name:` was written: `name` is "Run " + the first line of `run` (or the action), shown
  // as written, never interpolated (as on GitHub).
  bool name_implicit = false;
  std::string run;
  // An action: "./path" (local), "OWNER/REPO[/PATH]@REF" (built in, or from --action-cache),
  // "docker://IMAGE", or the snapshot actions (kiln/snapshot@v1, depot/snapshot-action@v1).
  // `with:` values may hold ${{ }} and are evaluated when the step runs.
  std::string uses;
  Pos uses_pos;
  std::map<std::string, std::string> with;
  std::string shell;
  std::string working_directory;
  EnvMap env;
  std::string if_expr;                      // without ${{ }}
  std::string continue_on_error = "false";  // may be an expression
  double timeout_minutes = 0;
};

// `container:` of a job, or one entry of `services:`. Strings may hold ${{ }}.
struct Container {
  Pos pos;
  std::string image;
  EnvMap env;
  std::vector<std::string> ports;    // "[IP:][HOST:]CONTAINER[/udp]" as written
  std::vector<std::string> volumes;  // "NAME_OR_HOST_PATH:CONTAINER_PATH[:ro]" as written
  std::string options;               // docker create options (jobs/docker_options.h)
  std::string username, password;    // `credentials:` (usually ${{ secrets.X }})
};

// `runs-on`: labels, or Depot's mapping form {size, image}.
struct RunsOn {
  std::vector<std::string> labels;
  std::string size;
  std::string image;
  std::string group;
};

// `snapshot:` on a job (GitHub custom images), plus kiln's opt-in persist-env.
struct SnapshotSpec {
  Pos pos;
  std::string image_name;
  std::string version;  // "" or "N.*" (validated at parse time)
  std::string if_expr = "success()";
  bool persist_env = false;
  // `push:` registry repositories ("127.0.0.1:5000/team/toolbox"): each new version is also
  // pushed as REPO:<version> and REPO:latest.
  std::vector<std::string> push;
};

struct Job {
  Pos pos;
  std::string id;
  std::string name;
  RunsOn runs_on;
  std::optional<Container> container;
  std::map<std::string, Container> services;  // by service name (its host name on the network)
  std::vector<std::string> needs;
  EnvMap env;
  RunDefaults defaults;
  std::string if_expr;
  Json matrix;     // strategy.matrix as written (object, or a "${{ }}" string), or null
  Pos matrix_pos;  // where strategy.matrix was written
  // The matrix's keys in written order (Json sorts them): the expansion order and the order
  // of the values in a matrix job's display name, as GitHub's.
  std::vector<std::string> matrix_keys;
  bool fail_fast = true;
  std::string fail_fast_expr;  // strategy.fail-fast given as "${{ }}" (github, inputs, vars)
  int max_parallel = 0;        // strategy.max-parallel; 0 = not set
  std::map<std::string, std::string> outputs;
  std::string continue_on_error = "false";
  double timeout_minutes = 0;
  std::optional<SnapshotSpec> snapshot;
  std::vector<Step> steps;  // empty for a job that calls a reusable workflow
  // A reusable-workflow call (`jobs.<id>.uses: ./.github/workflows/x.yml`), with its
  // `with:` and `secrets:` (a map, or `inherit`).
  std::string uses;
  std::map<std::string, std::string> with;
  std::map<std::string, std::string> secrets;
  bool secrets_inherit = false;
};

// One input of `on.workflow_dispatch.inputs` or `on.workflow_call.inputs`.
struct InputSpec {
  Pos pos;
  std::string name;
  std::string type = "string";  // string, boolean, number, choice, environment
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;  // as written (may hold ${{ }} for workflow_call)
  std::vector<std::string> options;          // for choice
};

struct Workflow {
  std::string file;
  std::string name;
  std::vector<std::string> events;
  Json on;                                 // `on:` as written, as JSON (event filters, inputs)
  std::vector<InputSpec> dispatch_inputs;  // on.workflow_dispatch.inputs, in file order
  std::vector<InputSpec> call_inputs;      // on.workflow_call.inputs
  std::map<std::string, std::string> call_outputs;  // on.workflow_call.outputs.<id>.value
  EnvMap env;
  RunDefaults defaults;
  std::vector<Job> jobs;  // in file order
};

}  // namespace kiln::workflow
