// The `${{ }}` expression language of GitHub Actions: literals, contexts, property access
// (a.b, a['b'], a.*.b), ! < <= > >= == != && ||, and the functions contains, startsWith,
// endsWith, format, join, toJSON, fromJSON, hashFiles (hash_files.h), success, failure,
// always, cancelled. Values are JSON; comparisons and truthiness follow GitHub's loose rules
// (strings compare ignoring case, mixed types compare as numbers).
#pragma once

#include <string>

#include "base/json.h"
#include "base/status.h"

namespace kiln::workflow {

// kSkipped: a job whose needs were skipped, none failed or was cancelled (its `if` sees
// success(), failure() and cancelled() all false).
enum class JobStatus { kSuccess, kFailure, kCancelled, kSkipped };

struct ExprContext {
  Json contexts = Json::object();  // github, env, job, steps, runner, matrix, needs, secrets, …
  JobStatus status = JobStatus::kSuccess;
  std::string workspace_host;  // host dir of github.workspace, for hashFiles(); "" = no files
};

// Evaluates one expression (without the ${{ }}).
Result<Json> Evaluate(const std::string& expr, const ExprContext& ctx);
// Evaluates an `if:`: an expression with no status function gets an implicit `success() &&`.
Result<bool> EvaluateCondition(const std::string& expr, const ExprContext& ctx);
// Replaces every ${{ … }} in `text` with its value as a string.
Result<std::string> Interpolate(const std::string& text, const ExprContext& ctx);

bool Truthy(const Json& v);
// A value as GitHub prints it into a string: null → "", numbers without ".0", objects as JSON.
std::string ToDisplayString(const Json& v);

}  // namespace kiln::workflow
