// strategy.matrix written with expressions, as GitHub and act evaluate it: the whole matrix as
// one expression (`matrix: ${{ fromJSON(needs.prepare.outputs.matrix) }}`), a vector or value
// as one (`os: ${{ fromJSON(...) }}`), a list item that evaluates to a list spliced into its
// list (act's evalmatrix-merge-array), and `${{ insert }}` keys whose mapping is merged into
// the enclosing one (evalmatrix-merge-map).
#pragma once

#include "base/json.h"
#include "base/status.h"
#include "workflow/expr.h"

namespace kiln::workflow {

// Whether a ${{ }} appears anywhere in the matrix (keys included).
bool MatrixHasExpressions(const Json& matrix);
// Whether one of its expressions reads the `needs` context: such a matrix is known only once
// the jobs it needs have finished.
bool MatrixReadsNeeds(const Json& matrix);
// The matrix with every expression evaluated in `ctx`: a plain mapping for ExpandMatrix.
// InvalidArgument when an expression fails or the whole matrix is not a mapping.
Result<Json> EvaluateMatrix(const Json& matrix, const ExprContext& ctx);

}  // namespace kiln::workflow
