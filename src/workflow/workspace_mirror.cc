// The per-repository mirror and what git ignores (workspace_copy.h).
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/fd.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "base/subprocess.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {

std::set<std::string> GitIgnored(const std::string& repo) {
  std::set<std::string> out;
  if (!PathExists(JoinPath(repo, ".git"))) return out;
  SubprocessOptions o;
  o.cwd = repo;
  // core.fsmonitor off: listing untracked files must not start a hook of the repository; the
  // repository may be another user's (sudo kiln run).
  auto r =
      RunProcess({"git", "-c", "core.fsmonitor=false", "-c", "safe.directory=" + repo, "ls-files",
                  "-z", "--others", "--ignored", "--exclude-standard", "--directory"},
                 o);
  if (!r.ok() || r->exit_code != 0) return out;
  size_t at = 0;
  while (at < r->out.size()) {
    size_t end = r->out.find('\0', at);
    if (end == std::string::npos) end = r->out.size();
    std::string p = r->out.substr(at, end - at);
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty() && p != ".git" && p.rfind(".git/", 0) != 0) out.insert(p);
    at = end + 1;
  }
  return out;
}

namespace {

std::string RealPath(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  std::string s = r ? r : "";
  std::free(r);
  return s;
}

// GitIgnored(repo) and the `leave_out` files inside `repo`, relative to it.
std::set<std::string> Skipped(const std::string& repo, const std::vector<std::string>& leave_out) {
  std::set<std::string> out = GitIgnored(repo);
  std::string root = RealPath(repo);
  for (const auto& f : leave_out) {
    std::string real = RealPath(f);
    if (root.empty() || real.size() <= root.size() + 1 || real.compare(0, root.size(), root) != 0 ||
        real[root.size()] != '/') {
      continue;
    }
    out.insert(real.substr(root.size() + 1));
  }
  return out;
}

}  // namespace

Status MakeWorkspaceCopy(const std::string& state_dir, const std::string& repo,
                         const std::string& dest, SyncStats* mirror_stats,
                         const std::vector<std::string>& leave_out) {
  std::string base = JoinPath(JoinPath(state_dir, "workspaces"), Sha256::Hex(repo).substr(0, 16));
  RETURN_IF_ERROR(MakeDirs(base, 0700));
  ASSIGN_OR_RETURN(UniqueFd lock, Open(base + ".lock", O_RDWR | O_CREAT, 0600));
  if (::flock(lock.get(), LOCK_EX) != 0)
    return Internal("lock " + base + ".lock: " + std::strerror(errno));
  ASSIGN_OR_RETURN(SyncStats s,
                   SyncTree(repo, JoinPath(base, "tree"), 2, Skipped(repo, leave_out)));
  if (mirror_stats != nullptr) *mirror_stats = s;
  if (PathExists(dest)) return AlreadyExists("workspace copy " + dest + " exists");
  auto copied = SyncTree(JoinPath(base, "tree"), dest);
  return copied.status().WithContext("copy workspace " + repo);
}

}  // namespace kiln::workflow
