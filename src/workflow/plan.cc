#include "workflow/plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "workflow/expr.h"
#include "workflow/matrix_expr.h"

namespace kiln::workflow {
namespace {

bool Matches(const Json& combo, const Json& partial) {
  for (auto it = partial.begin(); it != partial.end(); ++it) {
    if (!combo.contains(it.key()) || combo[it.key()] != it.value()) return false;
  }
  return true;
}

// The keys of `m` in `order` first, then the others (sorted), without include/exclude.
std::vector<std::string> KeysInOrder(const Json& m, const std::vector<std::string>& order) {
  std::vector<std::string> keys;
  for (const auto& k : order)
    if (m.contains(k) && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  for (auto it = m.begin(); it != m.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
  std::erase_if(keys, [](const std::string& k) { return k == "include" || k == "exclude"; });
  return keys;
}

std::string Display(const Job& j, const Json& m) {
  if (m.empty()) return j.name;
  if (j.name.find("${{") != std::string::npos) {
    ExprContext ctx;
    ctx.contexts["matrix"] = m;
    auto n = Interpolate(j.name, ctx);
    if (n.ok()) return *n;
  }
  std::string s = j.name + " (";
  bool first = true;
  for (const auto& k : KeysInOrder(m, j.matrix_keys)) {
    const Json& v = m[k];  // an object or a list on one line: the name prefixes log lines
    s += (first ? "" : ", ") + (v.is_structured() ? DumpJson(v) : ToDisplayString(v));
    first = false;
  }
  return s + ")";
}

}  // namespace

Result<std::vector<Json>> ExpandMatrix(const Json& matrix,
                                       const std::vector<std::string>& key_order) {
  if (matrix.is_null()) return std::vector<Json>{Json::object()};
  if (!matrix.is_object()) return InvalidArgument("strategy.matrix must be a mapping");
  std::vector<Json> combos = {Json::object()};
  for (const auto& key : KeysInOrder(matrix, key_order)) {
    const Json& value = matrix[key];
    if (!value.is_array()) return InvalidArgument("matrix." + key + " must be a list");
    if (value.empty()) {
      return InvalidArgument("matrix vector '" + key +
                             "' does not contain any values; give it at least one");
    }
    if (!value.empty() && combos.size() > kMaxMatrixProduct / value.size()) {
      return InvalidArgument("the matrix's lists make more than " +
                             std::to_string(kMaxMatrixProduct) + " combinations (at most " +
                             std::to_string(kMaxMatrixJobs) + " jobs may run)");
    }
    std::vector<Json> next;
    for (const auto& c : combos) {
      for (const auto& v : value) {
        Json n = c;
        n[key] = v;
        next.push_back(n);
      }
    }
    combos = next;
  }
  for (const char* list : {"include", "exclude"}) {
    if (!matrix.contains(list)) continue;
    if (!matrix[list].is_array())
      return InvalidArgument(std::string("matrix.") + list + " must be a list");
    if (matrix[list].size() > kMaxMatrixEntries) {
      return InvalidArgument(std::string("matrix.") + list + " has more than " +
                             std::to_string(kMaxMatrixEntries) + " entries");
    }
    for (const auto& e : matrix[list]) {
      if (!e.is_object())
        return InvalidArgument(std::string("matrix.") + list + " entries must be mappings");
    }
  }
  bool has_keys = !(combos.size() == 1 && combos[0].empty());
  if (matrix.contains("exclude")) {
    for (const auto& ex : matrix["exclude"]) {
      std::erase_if(combos, [&](const Json& c) { return Matches(c, ex); });
    }
  }
  std::vector<Json> originals = combos;
  if (!has_keys) combos.clear();
  if (matrix.contains("include")) {
    for (const auto& inc : matrix["include"]) {
      bool applied = false;
      for (size_t i = 0; i < originals.size() && has_keys; ++i) {
        // Applies when it overwrites none of the original values.
        bool ok = true;
        for (auto it = inc.begin(); it != inc.end(); ++it) {
          if (originals[i].contains(it.key()) && originals[i][it.key()] != it.value()) ok = false;
        }
        if (!ok) continue;
        for (auto it = inc.begin(); it != inc.end(); ++it) combos[i][it.key()] = it.value();
        applied = true;
      }
      if (!applied) combos.push_back(inc);
    }
  }
  if (combos.empty()) {
    return InvalidArgument(
        "the matrix expands to no job (it has no vector, or `exclude` removes every "
        "combination); give it at least one value, or drop strategy.matrix");
  }
  if (combos.size() > kMaxMatrixJobs) {
    return InvalidArgument("the matrix makes " + std::to_string(combos.size()) + " jobs; at most " +
                           std::to_string(kMaxMatrixJobs) + " are allowed");
  }
  return combos;
}

Result<std::vector<JobRun>> PlanRun(const Workflow& w, const std::string& only_job,
                                    const Json& contexts) {
  std::map<std::string, const Job*> by_id;
  for (const auto& j : w.jobs) by_id[j.id] = &j;
  if (!only_job.empty() && !by_id.count(only_job)) {
    return NotFound("workflow " + w.file + " has no job \"" + only_job + "\"");
  }
  // Depth-first over `needs` with an explicit stack (a chain of thousands of jobs must not
  // overflow the call stack): a job goes into `order` after everything it needs.
  std::vector<const Job*> order;
  std::set<std::string> done, visiting;
  for (const auto& root : w.jobs) {
    std::vector<std::pair<const Job*, size_t>> stack;  // job, index of its next need
    auto push = [&](const Job* j) -> Status {
      if (done.count(j->id)) return Status::Ok();
      if (visiting.count(j->id)) {
        return InvalidArgument(j->pos.ToString() + ": job " + j->id +
                               " depends on itself through `needs`");
      }
      visiting.insert(j->id);
      stack.emplace_back(j, 0);
      return Status::Ok();
    };
    RETURN_IF_ERROR(push(&root));
    while (!stack.empty()) {
      auto& [j, next] = stack.back();
      if (next < j->needs.size()) {
        const Job* need = by_id.at(j->needs[next++]);
        RETURN_IF_ERROR(push(need));
        continue;
      }
      visiting.erase(j->id);
      done.insert(j->id);
      order.push_back(j);
      stack.pop_back();
    }
  }
  // -j: the job and, transitively, what it needs (all of them precede it in `order`).
  std::set<std::string> wanted = {only_job};
  for (auto it = order.rbegin(); it != order.rend() && !only_job.empty(); ++it) {
    if (wanted.count((*it)->id)) wanted.insert((*it)->needs.begin(), (*it)->needs.end());
  }
  std::vector<JobRun> runs;
  for (const Job* j : order) {
    if (!only_job.empty() && !wanted.count(j->id)) continue;
    if (MatrixReadsNeeds(j->matrix)) {
      runs.push_back({j, Json::object(), j->name, /*matrix_deferred=*/true});
      continue;
    }
    ASSIGN_OR_RETURN(auto instances, ExpandJob(*j, contexts));
    runs.insert(runs.end(), instances.begin(), instances.end());
  }
  return runs;
}

Result<std::vector<JobRun>> ExpandJob(const Job& job, const Json& contexts) {
  auto fail = [&](const Status& s) {
    return InvalidArgument(job.matrix_pos.ToString() + ": job " + job.id + ": " + s.message());
  };
  Json matrix = job.matrix;
  if (MatrixHasExpressions(matrix)) {
    ExprContext ctx;
    if (contexts.is_object()) ctx.contexts = contexts;
    auto evaluated = EvaluateMatrix(matrix, ctx);
    if (!evaluated.ok()) return fail(evaluated.status());
    matrix = std::move(*evaluated);
  }
  auto combos = ExpandMatrix(matrix, job.matrix_keys);
  if (!combos.ok()) return fail(combos.status());
  std::vector<JobRun> runs;
  for (const auto& m : *combos) runs.push_back({&job, m, Display(job, m)});
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i].index = i;
    runs[i].total = runs.size();
  }
  return runs;
}

}  // namespace kiln::workflow
