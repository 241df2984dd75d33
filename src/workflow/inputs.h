// The `inputs` context of a top-level run of a workflow_dispatch or workflow_call workflow.
#pragma once

#include <map>
#include <string>

#include "base/json.h"
#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

// Each input the workflow declares for `event` (on.workflow_dispatch.inputs or
// on.workflow_call.inputs; {} for other events): its value from `given` (--input), else from
// the payload's `inputs` (github.event.inputs, as act), else its default; typed: boolean →
// true/false, number → a number, choice → one of its options, others → strings. An input that
// is not given and has no default is false (boolean) or "" (others). InvalidArgument naming
// the input and its FILE:LINE:COLUMN for a required input that is missing, and a value that is
// not of the input's type.
Result<Json> InputsContext(const Workflow& wf, const std::string& event, const Json& payload,
                           const std::map<std::string, std::string>& given);

}  // namespace kiln::workflow
