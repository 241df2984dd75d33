// An action's metadata (action.yml / action.yaml) as kiln runs it (internal to workflow/):
// its inputs and outputs and how it runs (composite steps, a Docker image, or Node.js).
// Values that may hold ${{ }} stay strings until the step runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

struct ActionInput {
  std::string name;
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;  // may hold ${{ }}
};

struct ActionOutput {
  std::string name;
  std::string value;  // composite only: an expression over the action's steps
};

enum class ActionKind { kComposite, kDocker, kNode };

struct Action {
  std::string file;  // the action.yml it was read from
  std::string name;
  std::vector<ActionInput> inputs;    // in file order
  std::vector<ActionOutput> outputs;  // in file order
  ActionKind kind = ActionKind::kComposite;
  std::string using_;  // as written: composite, docker, node12, node16, node20
  Pos runs_pos;
  // composite
  std::vector<Step> steps;
  // docker: `image` is "Dockerfile" (a path in the action's dir) or "docker://IMAGE"
  std::string image;
  std::string entrypoint, pre_entrypoint, post_entrypoint;
  std::vector<std::string> args;  // may hold ${{ }}
  EnvMap env;
  // node: files in the action's dir; pre-if/post-if without ${{ }}
  std::string main, pre, post;
  std::string pre_if = "always()", post_if = "always()";
};

// Parses action metadata; errors name FILE:LINE:COLUMN of `file`.
Result<Action> ParseAction(const std::string& yaml, const std::string& file);
// Reads DIR/action.yml, else DIR/action.yaml. NotFound names both when neither exists.
Result<Action> ParseActionDir(const std::string& dir);

}  // namespace kiln::workflow
