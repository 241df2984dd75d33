// The walk of CheckWorkflowExpressions: which contexts each key offers (GitHub's "Context
// availability" table), and where in the file an expression is.
#include <algorithm>
#include <vector>

#include "workflow/expr_check.h"

namespace kiln::workflow {
namespace {

using Path = std::vector<std::string>;
using Names = std::set<std::string>;

const Names kTop = {"github", "inputs", "vars"};
// GitHub's env values cannot read env; kiln and act let each see the entries before it.
const Names kWorkflowEnv = {"env", "github", "inputs", "secrets", "vars"};
const Names kCallOutputs = {"github", "inputs", "jobs", "vars"};
const Names kJobIf = {"github", "inputs", "needs", "vars"};
const Names kJob = {"github", "inputs", "matrix", "needs", "strategy", "vars"};
const Names kJobEnv = {"env", "github", "inputs", "matrix", "needs", "secrets", "strategy", "vars"};
const Names kJobSecrets = {"github", "inputs", "matrix", "needs", "secrets", "strategy", "vars"};
const Names kCredentials = {"env",   "github",  "inputs",   "matrix",
                            "needs", "secrets", "strategy", "vars"};
const Names kContainerEnv = {"env",   "github", "inputs",  "job",      "matrix",
                             "needs", "runner", "secrets", "strategy", "vars"};
const Names kDefaultsRun = {"env", "github", "inputs", "matrix", "needs", "strategy", "vars"};
const Names kEnvironmentUrl = {"env",   "github", "inputs", "job",      "matrix",
                               "needs", "runner", "steps",  "strategy", "vars"};
const Names kStepIf = kEnvironmentUrl;
const Names kStep = {"env",    "github",  "inputs", "job",      "matrix", "needs",
                     "runner", "secrets", "steps",  "strategy", "vars"};

bool At(const Path& p, size_t i, const char* key) { return p.size() > i && p[i] == key; }

// The contexts of the value at `p` ("jobs", ID, KEY, …); nullptr: not an expression place
// (literal text in GitHub). Keys not in the table get every context.
const Names* Allowed(const Path& p) {
  if (p.empty()) return nullptr;
  const std::string& top = p[0];
  if (top == "name" || top == "permissions") return nullptr;
  if (top == "run-name" || top == "concurrency") return &kTop;
  if (top == "env") return &kWorkflowEnv;
  if (top == "on") {
    bool call = At(p, 1, "workflow_call") && p.size() == 5;
    if (call && At(p, 2, "inputs") && At(p, 4, "default")) return &kTop;
    if (call && At(p, 2, "outputs") && At(p, 4, "value")) return &kCallOutputs;
    return nullptr;
  }
  if (top != "jobs" || p.size() < 3) return &AllContexts();
  const std::string& key = p[2];
  if (key == "if") return &kJobIf;
  if (key == "strategy") return &kJobIf;
  if (key == "env") return &kJobEnv;
  if (key == "outputs") return &kStep;
  if (key == "secrets") return &kJobSecrets;
  if (key == "defaults") return &kDefaultsRun;
  if (key == "environment") return At(p, 3, "url") ? &kEnvironmentUrl : &kJob;
  if (key == "container") {
    if (At(p, 3, "env")) return &kContainerEnv;
    return At(p, 3, "credentials") ? &kCredentials : &kJob;
  }
  if (key == "services") {
    if (At(p, 4, "env")) return &kContainerEnv;
    return At(p, 4, "credentials") ? &kCredentials : &kJob;
  }
  if (key == "steps") return At(p, 4, "if") && p.size() == 5 ? &kStepIf : &kStep;
  if (key == "name" || key == "runs-on" || key == "timeout-minutes" || key == "concurrency" ||
      key == "continue-on-error" || key == "with") {
    return &kJob;
  }
  return &AllContexts();
}

// Whether the value at `p` is an `if:` (an expression even without ${{ }}).
bool IsCondition(const Path& p) {
  if (p.size() < 3 || p[0] != "jobs" || p.back() != "if") return false;
  return p.size() == 3 || (p.size() == 5 && p[2] == "steps") ||
         (p.size() == 4 && p[2] == "snapshot");
}

std::string Where(const Path& p) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    bool index = !p[i].empty() && p[i].find_first_not_of("0123456789") == std::string::npos &&
                 i > 0 && p[i - 1] == "steps";
    out += index ? "[" + p[i] + "]" : (out.empty() ? "" : ".") + p[i];
  }
  return out;
}

class Walker {
 public:
  Walker(const std::string& source, const std::string& file) : source_(source), file_(file) {}

  Status Walk(const YAML::Node& n, Path& path) {
    if (path.size() > 64) return Status::Ok();
    if (n.IsMap()) {
      for (const auto& kv : n) {
        path.push_back(kv.first.Scalar());
        Status s = Walk(kv.second, path);
        path.pop_back();
        RETURN_IF_ERROR(s);
      }
    } else if (n.IsSequence()) {
      for (size_t i = 0; i < n.size(); ++i) {
        path.push_back(std::to_string(i));
        Status s = Walk(n[i], path);
        path.pop_back();
        RETURN_IF_ERROR(s);
      }
    } else if (n.IsScalar()) {
      return Scalar(n, path);
    }
    return Status::Ok();
  }

 private:
  Status Scalar(const YAML::Node& n, const Path& path) {
    const Names* allowed = Allowed(path);
    if (allowed == nullptr) return Status::Ok();
    const std::string& v = n.Scalar();
    size_t open = v.find("${{");
    bool blank = v.find_first_not_of(" \t\r\n") == std::string::npos;  // if: '' is success()
    if (IsCondition(path) && open == std::string::npos && !blank) {
      Status s = CheckExpression(v, *allowed, Where(path));
      return s.ok() ? s : At(n, path, std::string::npos, s);
    }
    if (open == std::string::npos) return Status::Ok();
    size_t offset = 0;
    Status s = CheckTemplate(v, *allowed, Where(path), &offset);
    return s.ok() ? s : At(n, path, CountOpens(v, offset), s);
  }

  static size_t CountOpens(const std::string& v, size_t end) {
    size_t count = 0;
    for (size_t i = v.find("${{"); i < end; i = v.find("${{", i + 3)) ++count;
    return count;
  }

  // The error `s` at the `nth` ${{ after the scalar's start in the file (npos: at the
  // scalar's first character, past an opening quote).
  Status At(const YAML::Node& n, const Path& path, size_t nth, const Status& s) const {
    YAML::Mark m = n.Mark();
    size_t at = m.pos < 0 ? std::string::npos : static_cast<size_t>(m.pos);
    if (at < source_.size() && nth == std::string::npos) {
      if (source_[at] == '"' || source_[at] == '\'') ++at;
    } else if (at < source_.size()) {
      for (size_t k = 0; at != std::string::npos; ++k, at += 3) {
        at = source_.find("${{", at);
        if (k == nth) break;
      }
    }
    std::string pos = file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    if (at < source_.size()) {
      size_t line_start = source_.rfind('\n', at);
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      auto end = source_.begin() + static_cast<std::ptrdiff_t>(at);
      size_t line = 1 + static_cast<size_t>(std::count(source_.begin(), end, '\n'));
      pos = file_ + ":" + std::to_string(line) + ":" + std::to_string(at - line_start + 1);
    }
    return InvalidArgument(pos + ": " + Where(path) + ": " + s.message());
  }

  const std::string& source_;
  const std::string& file_;
};

}  // namespace

Status CheckWorkflowExpressions(const YAML::Node& root, const std::string& source,
                                const std::string& file) {
  Walker w(source, file);
  Path path;
  return w.Walk(root, path);
}

}  // namespace kiln::workflow
