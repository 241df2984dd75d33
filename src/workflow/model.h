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
  std::string run;
  // Only the snapshot actions (kiln/snapshot@v1, depot/snapshot-action@v1); their `with:`.
  std::string uses;
  std::map<std::string, std::string> with;
  std::string shell;
  std::string working_directory;
  EnvMap env;
  std::string if_expr;                      // without ${{ }}
  std::string continue_on_error = "false";  // may be an expression
  double timeout_minutes = 0;
};

struct Container {
  std::string image;
  EnvMap env;
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
  std::vector<std::string> needs;
  EnvMap env;
  RunDefaults defaults;
  std::string if_expr;
  Json matrix;     // strategy.matrix as written (object), or null
  Pos matrix_pos;  // where strategy.matrix was written
  bool fail_fast = true;
  std::map<std::string, std::string> outputs;
  std::string continue_on_error = "false";
  double timeout_minutes = 0;
  std::optional<SnapshotSpec> snapshot;
  std::vector<Step> steps;
};

struct Workflow {
  std::string file;
  std::string name;
  std::vector<std::string> events;
  EnvMap env;
  RunDefaults defaults;
  std::vector<Job> jobs;  // in file order
};

}  // namespace kiln::workflow
