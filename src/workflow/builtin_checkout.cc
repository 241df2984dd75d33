// actions/checkout, built in: the local repository (RunOptions::workspace) into the job's
// workspace, by git when it is a repository (a shallow fetch of one ref by default), else by
// copying its files. There is no network checkout: another `repository:` is an error.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "base/fs.h"
#include "base/subprocess.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/builtin_paths.h"

namespace kiln::workflow {
namespace {

std::string Input(const std::map<std::string, std::string>& with, const std::string& key,
                  const std::string& fallback = "") {
  auto it = with.find(key);
  return it == with.end() || it->second.empty() ? fallback : it->second;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// kiln's environment without GIT_* (a GIT_DIR of a hook kiln runs in would redirect git), and
// with no prompt for credentials.
std::vector<std::string> GitEnv() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("GIT_", 0) != 0) env.emplace_back(*e);
  }
  env.push_back("GIT_TERMINAL_PROMPT=0");
  return env;
}

// git with safe.directory for any owner (the workspace may belong to the sandbox's root).
Result<std::string> Git(const std::string& dir, std::vector<std::string> args) {
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

std::string RealPath(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (r == nullptr) return NormalizePath(p);
  std::string s = r;
  std::free(r);
  return s;
}

Status EmptyDir(const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, ListDir(dir));
  for (const auto& n : names) RETURN_IF_ERROR(RemoveTree(dir + "/" + n));
  return Status::Ok();
}

// A source that is not a git repository: its files, as they are (symlinks as symlinks).
Status CopyFiles(const std::string& src, const std::string& target) {
  ASSIGN_OR_RETURN(auto names, ListDir(src));
  for (const auto& n : names) {
    if (PathWithin(src + "/" + n, target)) continue;  // the target itself is inside the source
    RETURN_IF_ERROR(RunChecked({"cp", "-a", "--", src + "/" + n, target + "/"}).status());
  }
  return Status::Ok();
}

struct RefPlan {
  std::string full;    // refs/heads/B, refs/tags/T, or a commit
  std::string branch;  // B when a branch
  std::string fetch;   // the refspec fetched
  std::string checkout;
};

Result<RefPlan> PlanRef(const std::string& src, const std::string& ref) {
  RefPlan p;
  std::string name = ref;
  if (name.empty()) {
    auto head = Git(src, {"symbolic-ref", "-q", "HEAD"});
    name = head.ok() ? *head : "";
    if (name.empty()) {
      ASSIGN_OR_RETURN(name, Git(src, {"rev-parse", "HEAD"}));
    }
  }
  std::vector<std::string> candidates = {name};
  if (name.rfind("refs/", 0) != 0) candidates = {"refs/heads/" + name, "refs/tags/" + name};
  for (const std::string& full : candidates) {
    if (!Git(src, {"rev-parse", "--verify", "-q", full + "^{commit}"}).ok()) continue;
    p.full = full;
    if (full.rfind("refs/heads/", 0) == 0) {
      p.branch = full.substr(11);
      p.fetch = "+" + full + ":refs/remotes/origin/" + p.branch;
      p.checkout = "refs/remotes/origin/" + p.branch;
    } else {
      p.fetch = "+" + full + ":" + full;
      p.checkout = full;
    }
    return p;
  }
  auto sha = Git(src, {"rev-parse", "--verify", "-q", name + "^{commit}"});
  if (!sha.ok()) {
    return NotFound("actions/checkout: ref \"" + name +
                    "\" is no branch, tag or commit of the local repository");
  }
  p.full = *sha, p.fetch = *sha, p.checkout = "FETCH_HEAD";
  return p;
}

Status FetchAndCheckout(const std::string& src, const std::string& target, const RefPlan& ref,
                        int depth) {
  if (!PathExists(target + "/.git")) RETURN_IF_ERROR(Git(target, {"init", "-q"}).status());
  RETURN_IF_ERROR(Git(target, {"config", "remote.origin.url", "file://" + src}).status());
  if (depth == 0) {
    RETURN_IF_ERROR(Git(target, {"fetch", "-q", "--prune", "origin",
                                 "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"})
                        .status());
  }
  std::vector<std::string> fetch = {"fetch", "-q", "--no-tags"};
  if (depth > 0) fetch.push_back("--depth=" + std::to_string(depth));
  fetch.push_back("origin");
  fetch.push_back(ref.fetch);
  RETURN_IF_ERROR(Git(target, fetch).status());
  if (!ref.branch.empty()) {
    return Git(target, {"checkout", "-q", "--force", "-B", ref.branch, ref.checkout}).status();
  }
  return Git(target, {"checkout", "-q", "--force", "--detach", ref.checkout}).status();
}

}  // namespace

Status CheckoutMain(JobContext& ctx, const Step&, const std::map<std::string, std::string>& with,
                    Json& outputs) {
  const std::string src = RealPath(ctx.options->workspace);
  std::string repository = Input(with, "repository");
  const Json& github = ctx.expr.contexts["github"];
  std::string own =
      github.is_object() && github.contains("repository") && github["repository"].is_string()
          ? github["repository"].get<std::string>()
          : "";
  if (!repository.empty() && repository != own) {
    return InvalidArgument("actions/checkout: repository " + repository +
                           ": kiln checks out only the local repository (" +
                           (own.empty() ? std::string("the current directory") : own) +
                           "); it has no network checkout. Clone it in a run: step instead");
  }
  std::string path = Input(with, "path");
  ASSIGN_OR_RETURN(std::string target, HostPathOf(ctx, path));
  if (!PathWithin(WorkspaceHostDir(ctx), target)) {
    return InvalidArgument("actions/checkout: path " + path + " is outside the workspace");
  }
  std::string depth_text = Input(with, "fetch-depth", "1");
  char* end = nullptr;
  long depth = std::strtol(depth_text.c_str(), &end, 10);
  if (*end != '\0' || depth < 0) {
    return InvalidArgument("actions/checkout: fetch-depth must be a number ≥ 0, not " + depth_text);
  }
  bool is_git = PathExists(src + "/.git");
  RefPlan ref;
  if (is_git) {
    ASSIGN_OR_RETURN(ref, PlanRef(src, Input(with, "ref")));
  }
  RETURN_IF_ERROR(MakeDirs(target));
  if (RealPath(target) == src) {
    ctx.Print("actions/checkout: the workspace is the repository itself: left as it is");
    if (is_git) {
      outputs["ref"] = ref.full;
      ASSIGN_OR_RETURN(std::string head, Git(src, {"rev-parse", "HEAD"}));
      outputs["commit"] = head;
    }
    return Status::Ok();
  }
  if (PathWithin(RealPath(target), src)) {
    return InvalidArgument("actions/checkout: path " + path + " holds the repository itself");
  }
  if (Input(with, "clean", "true") != "false") RETURN_IF_ERROR(EmptyDir(target));
  if (!is_git) {
    if (!Input(with, "ref").empty()) {
      return InvalidArgument("actions/checkout: ref needs a git repository; " + src +
                             " is not one");
    }
    ctx.Print("actions/checkout: copying " + src + " (not a git repository)");
    return CopyFiles(src, target);
  }
  for (const char* key : {"submodules", "lfs"}) {
    std::string v = Input(with, key, "false");
    if (v != "false") {
      BuiltinWarning(ctx, std::string("actions/checkout: ") + key + ": " + v +
                              " is not supported by kiln's built-in checkout; ignored");
    }
  }
  ctx.Print("actions/checkout: " + ref.full + " of " + src +
            (depth == 0 ? " (full history)" : " (depth " + std::to_string(depth) + ")"));
  RETURN_IF_ERROR(FetchAndCheckout(src, target, ref, static_cast<int>(depth)));
  outputs["ref"] = ref.full;
  ASSIGN_OR_RETURN(std::string head, Git(target, {"rev-parse", "HEAD"}));
  outputs["commit"] = head;
  return Status::Ok();
}

}  // namespace kiln::workflow
