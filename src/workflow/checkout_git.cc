#include "workflow/checkout_git.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

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

}  // namespace kiln::workflow
