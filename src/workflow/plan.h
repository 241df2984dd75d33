// Planning a run: jobs in an order that respects `needs` (file order otherwise), each expanded
// over its matrix as GitHub expands it (product of the keys, minus `exclude`, plus `include`).
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "workflow/model.h"

namespace kiln::workflow {

struct JobRun {
  const Job* job = nullptr;
  Json matrix = Json::object();  // this instance's matrix values ({} without a matrix)
  std::string display;           // "build (ubuntu, 18)"
};

// Expands a strategy.matrix object into its combinations.
Result<std::vector<Json>> ExpandMatrix(const Json& matrix);

// Jobs to run, in order. `only_job` (act's -j) keeps just that job. A cycle in `needs` is an
// InvalidArgument naming the job and its FILE:LINE:COLUMN.
Result<std::vector<JobRun>> PlanRun(const Workflow& w, const std::string& only_job);

}  // namespace kiln::workflow
