#include "workflow/checkout_git.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/fd.h"
#include "base/fs.h"
#include "base/subprocess.h"
#include "workflow/builtin_paths.h"

namespace kiln::workflow {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> GitEnv() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("GIT_", 0) != 0) env.emplace_back(*e);
  }
  env.push_back("GIT_TERMINAL_PROMPT=0");
  env.push_back("GIT_CONFIG_NOSYSTEM=1");
  return env;
}

}  // namespace

Result<std::string> CheckoutGit(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git",
                                   "-c",
                                   "safe.directory=*",
                                   "-c",
                                   "protocol.file.allow=always",
                                   "-c",
                                   "uploadpack.allowAnySHA1InWant=true",
                                   "-c",
                                   "advice.detachedHead=false",
                                   "-c",
                                   "init.defaultBranch=main",
                                   "-c",
                                   "core.hooksPath=/dev/null",
                                   "-c",
                                   "core.fsmonitor=false",
                                   "-C",
                                   dir};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o;
  o.env = GitEnv();
  auto r = RunProcess(argv, o);
  if (!r.ok()) return r.status().WithContext("git");
  if (r->exit_code != 0) {
    return Internal("git " + args[0] + " failed (exit " + std::to_string(r->exit_code) +
                    "): " + Trim(r->err));
  }
  return Trim(r->out);
}

std::string ResolvedPath(const std::string& path) {
  char* r = ::realpath(path.c_str(), nullptr);
  if (r == nullptr) return NormalizePath(path);
  std::string s = r;
  std::free(r);
  return s;
}

Result<UniqueFd> MakeDirsNoFollow(const std::string& root, const std::string& target,
                                  const std::string& shown) {
  std::string base = NormalizePath(root), path = NormalizePath(target);
  if (!PathWithin(base, path)) return InvalidArgument(shown + " is outside " + root);
  ASSIGN_OR_RETURN(UniqueFd dir, Open(base, O_RDONLY | O_DIRECTORY));
  std::string rest = path.substr(base.size());
  size_t i = 0;
  while (i < rest.size()) {
    size_t j = rest.find('/', i);
    if (j == std::string::npos) j = rest.size();
    std::string name = rest.substr(i, j - i);
    i = j + 1;
    if (name.empty()) continue;
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(dir.get(), name.c_str(), flags);
    if (fd < 0 && errno == ENOENT) {
      if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
        return ErrnoStatus("mkdir " + shown, errno);
      fd = ::openat(dir.get(), name.c_str(), flags);
    }
    if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
      return FailedPrecondition(shown + ": " + name +
                                " is a symbolic link or no directory; kiln checks out only into "
                                "real directories of the workspace (remove it first)");
    }
    if (fd < 0) return ErrnoStatus("open " + shown, errno);
    dir = UniqueFd(fd);
  }
  return dir;
}

std::string FdPath(const UniqueFd& fd) {
  return "/proc/self/fd/" + std::to_string(fd.get()) + "/.";
}

}  // namespace kiln::workflow
