// Reading workflow files. Every error names FILE:LINE:COLUMN and what is wrong, for YAML syntax
// errors, unknown keys, wrong types, missing `runs-on`/`steps`/`on`, unknown `needs`, and an
// invalid `snapshot:` (its version must be "<non-negative integer>.*").
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

// Parses `text` as the workflow file `file` (the name used in messages).
Result<Workflow> ParseWorkflow(const std::string& text, const std::string& file);
Result<Workflow> ParseWorkflowFile(const std::string& path);
// A file, or every *.yml / *.yaml in a directory (sorted).
Result<std::vector<std::string>> WorkflowFiles(const std::string& path);

}  // namespace kiln::workflow
