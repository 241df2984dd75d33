// Actions kiln runs itself instead of fetching them (internal to workflow/): actions/checkout,
// actions/cache, actions/upload-artifact, actions/download-artifact. A built-in matches
// `uses: OWNER/REPO@ANY_REF` by OWNER/REPO (case-insensitive), before the action cache.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/json.h"
#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

struct JobContext;

// One phase of a built-in action. `with` holds the step's inputs already evaluated (defaults
// filled by the built-in itself); `outputs` receives steps.<id>.outputs. A non-OK Status fails
// the step with that message.
using BuiltinPhase =
    std::function<Status(JobContext& ctx, const Step& step,
                         const std::map<std::string, std::string>& with, Json& outputs)>;

struct BuiltinAction {
  std::string name;   // "actions/checkout"
  BuiltinPhase main;  // runs as the step
  BuiltinPhase post;  // may be empty; else runs after the job's steps (as an action's post:)
};

// The built-in action for `uses`, or nullptr when kiln has none for it.
const BuiltinAction* FindBuiltinAction(const std::string& uses);

}  // namespace kiln::workflow
