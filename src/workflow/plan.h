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
  // The job's matrix reads `needs`: this one run stands for the job until the jobs it needs
  // have finished; the scheduler then replaces it with ExpandJob's instances.
  bool matrix_deferred = false;
  // This instance's place in its job's matrix expansion (strategy.job-index, job-total).
  size_t index = 0;
  size_t total = 1;
};

// The most jobs one matrix may make (GitHub: "a matrix can generate a maximum of 256 jobs per
// workflow run").
inline constexpr size_t kMaxMatrixJobs = 256;
// The largest product of the matrix's lists before `exclude`, and the most `include` or
// `exclude` entries: bounds the memory and time of expansion whatever `exclude` removes.
inline constexpr size_t kMaxMatrixProduct = 4096;
inline constexpr size_t kMaxMatrixEntries = 1024;

// Expands a strategy.matrix object into its combinations. InvalidArgument when it would make
// more than kMaxMatrixJobs jobs or cross the bounds above (detected before building them).
// The product takes the keys in `key_order` first (the first varies slowest), then any other.
Result<std::vector<Json>> ExpandMatrix(const Json& matrix,
                                       const std::vector<std::string>& key_order = {});

// One job's instances: its matrix evaluated (matrix_expr.h) in `contexts` ({github, inputs,
// vars, needs}: those a matrix may read), then expanded. Errors (InvalidArgument) name the
// matrix's FILE:LINE:COLUMN; a matrix that expands to no job is one.
Result<std::vector<JobRun>> ExpandJob(const Job& job, const Json& contexts);

// Jobs to run, in an order where every job comes after the jobs it needs. `only_job` (act's -j)
// keeps that job and the jobs it needs, transitively, as act does; NotFound when the workflow
// has no such job. A job whose matrix reads `needs` is one run with matrix_deferred. A cycle in
// `needs` is an InvalidArgument naming the job and its FILE:LINE:COLUMN.
// Matrices are evaluated in `contexts` (see ExpandJob; without needs).
Result<std::vector<JobRun>> PlanRun(const Workflow& w, const std::string& only_job,
                                    const Json& contexts = Json::object());

}  // namespace kiln::workflow
