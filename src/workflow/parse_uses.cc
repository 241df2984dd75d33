// A step's `uses:` and `with:` at parse time: only the form of the reference is checked; the
// action itself is found when the step runs (action_resolve.cc).
#include "workflow/parse_util.h"

namespace kiln::workflow {

namespace {

// Whether a path segment of `uses` (split at '/' and '@') is "..": such an action would be read
// from outside the repository or the action cache.
bool LeavesItsDir(const std::string& uses) {
  size_t start = 0;
  while (start <= uses.size()) {
    size_t end = uses.find_first_of("/@", start);
    if (end == std::string::npos) end = uses.size();
    if (uses.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string UsesFormError(const std::string& uses) {
  if (uses.find("${{") != std::string::npos)
    return "`uses: " + uses +
           "` may not hold an expression (GitHub resolves actions before the "
           "job runs)";
  if (uses.rfind("docker://", 0) != 0 && LeavesItsDir(uses)) {
    return "`uses: " + uses +
           "` may not name a path with \"..\" (an action is read from the "
           "repository or the action cache, never from outside them)";
  }
  if (uses.rfind("./", 0) == 0) return "";
  if (uses.rfind("docker://", 0) == 0) {
    return uses.size() > 9 ? "" : "`uses: docker://` names no image (docker://IMAGE)";
  }
  size_t at = uses.find('@');
  std::string path = uses.substr(0, at);
  size_t slash = path.find('/');
  bool ok = at != std::string::npos && at + 1 < uses.size() && slash != std::string::npos &&
            slash > 0 && slash + 1 < path.size() && path[slash + 1] != '/' && path.back() != '/' &&
            uses.find(' ') == std::string::npos;
  if (ok) return "";
  return "`uses: " + uses +
         "` is not an action reference: use ./PATH (an action in the "
         "repository), OWNER/REPO[/PATH]@REF or docker://IMAGE";
}

void ParseUsesStep(Ctx& c, const YAML::Node& n, Step& s) {
  s.uses_pos = c.PosOf(n["uses"]);
  if (IsSnapshotAction(s.uses)) return ParseSnapshotStep(c, n, s);
  if (std::string err = UsesFormError(s.uses); !err.empty()) c.Fail(n["uses"], err);
  if (const YAML::Node with = n["with"]) {
    if (!with.IsNull()) ExpectMap(c, with, "with");
    for (const auto& kv : with) {
      const YAML::Node& v = kv.second;
      s.with[kv.first.Scalar()] = v.IsNull() ? "" : Scalar(c, v, "with." + kv.first.Scalar());
    }
  }
  if (s.name.empty()) s.name = "Run " + s.uses;
}

}  // namespace kiln::workflow
