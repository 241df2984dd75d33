// Static checks of the `${{ }}` expressions of a workflow, made when it is parsed, before any
// job runs: syntax, unknown functions, wrong numbers of arguments, contexts that the key does
// not offer (GitHub's "context availability" table; every context where kiln is unsure), and
// fromJSON() of a literal that is not JSON. Values are not evaluated.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "base/status.h"

namespace kiln::workflow {

// Every context name (lower case): github, env, vars, job, jobs, steps, runner, secrets,
// strategy, matrix, needs, inputs.
const std::set<std::string>& AllContexts();

// Checks one expression (without ${{ }}). `allowed`: the contexts it may name, lower case.
// InvalidArgument `expression "…": WHAT` for a syntax error, an unknown function ("unknown
// function foo; functions are: contains, …"), a wrong argument count, an unknown or
// unavailable context, fromJSON('not json'). `where` names the key in messages.
Status CheckExpression(const std::string& expr, const std::set<std::string>& allowed,
                       const std::string& where);

// Checks every ${{ }} of `text` (a YAML scalar's value) and reports the first error; *offset is
// set to the byte offset of the failing `${{` in `text`. Also an unterminated `${{`.
Status CheckTemplate(const std::string& text, const std::set<std::string>& allowed,
                     const std::string& where, size_t* offset);

// Walks a parsed workflow (`root` from YAML::Load(`source`)) and checks each expression with
// the contexts its key allows; bare `if:` values are expressions themselves. InvalidArgument
// "FILE:LINE:COLUMN: …" at the expression (else at its scalar) for the first error.
Status CheckWorkflowExpressions(const YAML::Node& root, const std::string& source,
                                const std::string& file);

}  // namespace kiln::workflow
