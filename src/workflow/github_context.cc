// The github context from git, the payload and flags, in act's order (pkg/runner/
// run_context.go getGithubContext and pkg/model/github_context.go): base/head refs from a pull
// request's payload, repository from the remote, ref and sha from the payload by event, else
// from git, then the ref's type and name, then the server URLs.
#include "workflow/github_context.h"

#include <optional>
#include <vector>

#include "base/log.h"
#include "base/subprocess.h"

namespace kiln::workflow {
namespace {

const char kZeroSha[] = "0000000000000000000000000000000000000000";

// git's trimmed stdout, or nullopt when it cannot run or fails (no repo, no commit, no remote).
std::optional<std::string> Git(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o;
  o.cwd = dir;
  auto r = RunProcess(argv, o);
  if (!r.ok() || r->exit_code != 0) return std::nullopt;
  std::string out = r->out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  return out;
}

// git refuses a repository another user owns (safe.directory): say so, as the context then
// holds placeholders where the user expects the repository's values.
void WarnIfRefused(const std::string& dir) {
  SubprocessOptions o;
  o.cwd = dir;
  auto r = RunProcess({"git", "rev-parse", "--git-dir"}, o);
  if (r.ok() && r->exit_code != 0 && r->err.find("dubious ownership") != std::string::npos) {
    LogWarn("git refuses the repository at " + dir +
            " (another user owns it), so the github context has placeholders for sha, ref and "
            "repository; run kiln with sudo as that user, or add the directory to git's "
            "safe.directory");
  }
}

std::string Str(const Json& j, std::initializer_list<const char*> path) {
  const Json* at = &j;
  for (const char* k : path) {
    if (!at->is_object() || !at->contains(k)) return "";
    at = &(*at)[k];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// The ref from git: the branch HEAD is on; on a detached HEAD, a tag pointing at it, else a
// branch pointing at it (act's FindGitRef, which prefers the tag even on a branch).
std::string GitRef(const std::string& dir) {
  if (auto branch = Git(dir, {"symbolic-ref", "-q", "HEAD"}); branch && !branch->empty())
    return *branch;
  auto refs = Git(
      dir, {"for-each-ref", "--points-at=HEAD", "--format=%(refname)", "refs/tags", "refs/heads"});
  if (!refs || refs->empty()) return "";
  std::string first_branch;
  size_t pos = 0;
  while (pos < refs->size()) {
    size_t nl = refs->find('\n', pos);
    std::string ref = refs->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? refs->size() : nl + 1;
    if (ref.rfind("refs/tags/", 0) == 0) return ref;
    if (first_branch.empty()) first_branch = ref;
  }
  return first_branch;
}

// act's SetRef/SetSha: the ref (and sha) an event's payload names.
void RefFromEvent(const std::string& event_name, const Json& event, Json& ghc) {
  std::string ref, sha;
  if (event_name == "pull_request_target") {
    ref = "refs/heads/" + ghc["base_ref"].get<std::string>();
    sha = Str(event, {"pull_request", "base", "sha"});
  } else if (event_name == "pull_request" || event_name == "pull_request_review" ||
             event_name == "pull_request_review_comment") {
    if (event.is_object() && event.contains("number") && event["number"].is_number())
      ref = "refs/pull/" + std::to_string(event["number"].get<long long>()) + "/merge";
  } else if (event_name == "deployment" || event_name == "deployment_status") {
    ref = Str(event, {"deployment", "ref"});
    sha = Str(event, {"deployment", "sha"});
  } else if (event_name == "release") {
    ref = Str(event, {"release", "tag_name"});
  } else if (event_name == "push" || event_name == "create" || event_name == "workflow_dispatch") {
    ref = Str(event, {"ref"});
    if (event.is_object() && event.contains("deleted") && event["deleted"] == false)
      sha = Str(event, {"after"});
  } else {
    std::string branch = Str(event, {"repository", "default_branch"});
    if (!branch.empty()) ref = "refs/heads/" + branch;
  }
  ghc["ref"] = ref;
  ghc["sha"] = sha;
}

void ApplyEnvOverrides(const std::map<std::string, std::string>& env, Json& ghc) {
  static const std::vector<std::pair<const char*, const char*>> kKeys = {
      {"GITHUB_RUN_ID", "run_id"},
      {"GITHUB_RUN_NUMBER", "run_number"},
      {"GITHUB_RUN_ATTEMPT", "run_attempt"},
      {"GITHUB_REPOSITORY", "repository"},
      {"GITHUB_REPOSITORY_OWNER", "repository_owner"},
      {"GITHUB_REF", "ref"},
      {"GITHUB_SHA", "sha"},
      {"GITHUB_REF_NAME", "ref_name"},
      {"GITHUB_REF_TYPE", "ref_type"},
      {"GITHUB_BASE_REF", "base_ref"},
      {"GITHUB_HEAD_REF", "head_ref"},
      {"GITHUB_RETENTION_DAYS", "retention_days"},
      {"GITHUB_SERVER_URL", "server_url"},
      {"GITHUB_API_URL", "api_url"},
      {"GITHUB_GRAPHQL_URL", "graphql_url"}};
  for (const auto& [var, key] : kKeys) {
    auto it = env.find(var);
    if (it != env.end() && !it->second.empty()) ghc[key] = it->second;
  }
}

void SetRepository(const GithubOptions& o, Json& ghc) {
  std::string slug;
  if (auto url = Git(o.repo_dir, {"remote", "get-url", o.remote_name}))
    slug = RepoSlugFromUrl(*url);
  if (slug.empty()) slug = "local/" + BaseName(o.repo_dir);
  ghc["repository"] = slug;
  ghc["repository_owner"] = slug.substr(0, slug.find('/'));
}

void SetUrls(const GithubOptions& o, Json& ghc) {
  std::string host = o.instance.empty() ? "github.com" : o.instance;
  if (host == "github.com") {
    ghc["server_url"] = "https://github.com";
    ghc["api_url"] = "https://api.github.com";
    ghc["graphql_url"] = "https://api.github.com/graphql";
  } else {
    ghc["server_url"] = "https://" + host;
    ghc["api_url"] = "https://" + host + "/api/v3";
    ghc["graphql_url"] = "https://" + host + "/api/graphql";
  }
  ghc["repositoryUrl"] = "git://" + host + "/" + ghc["repository"].get<std::string>() + ".git";
}

}  // namespace

std::string RepoSlugFromUrl(const std::string& url) {
  std::string path = url;
  if (size_t scheme = path.find("://"); scheme != std::string::npos) {
    path = path.substr(scheme + 3);
    size_t slash = path.find('/');
    path = slash == std::string::npos ? "" : path.substr(slash + 1);  // drop [user@]host[:port]
  } else if (size_t colon = path.find(':'); colon != std::string::npos && path.find('/') > colon) {
    path = path.substr(colon + 1);  // scp-like [user@]host:owner/repo
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() > 4 && path.substr(path.size() - 4) == ".git") path.resize(path.size() - 4);
  // The last two components: owner/repo.
  size_t last = path.rfind('/');
  if (last == std::string::npos || last == 0 || last + 1 >= path.size()) return "";
  size_t prev = path.rfind('/', last - 1);
  std::string slug = prev == std::string::npos ? path : path.substr(prev + 1);
  return slug.front() == '/' || slug.find("//") != std::string::npos ? "" : slug;
}

std::pair<std::string, std::string> RefTypeAndName(const std::string& ref) {
  for (auto [prefix, type] : {std::pair<std::string, std::string>{"refs/tags/", "tag"},
                              {"refs/heads/", "branch"},
                              {"refs/pull/", ""}}) {
    if (ref.rfind(prefix, 0) == 0) return {type, ref.substr(prefix.size())};
  }
  return {"", ""};
}

std::string RepoDefaultBranch(const std::string& repo_dir, const std::string& remote_name) {
  std::string prefix = "refs/remotes/" + remote_name + "/";
  if (auto head = Git(repo_dir, {"symbolic-ref", "-q", prefix + "HEAD"});
      head && head->rfind(prefix, 0) == 0 && head->size() > prefix.size())
    return head->substr(prefix.size());
  if (auto branch = Git(repo_dir, {"symbolic-ref", "-q", "HEAD"});
      branch && branch->rfind("refs/heads/", 0) == 0 && branch->size() > 11)
    return branch->substr(11);
  return "master";
}

Json BuildGithubContext(const GithubOptions& o) {
  Json ghc = Json::object();
  Json event = o.event.is_object() ? o.event : Json::object();
  if (o.event.is_null() && !o.inputs.empty()) {
    event["inputs"] = Json::object();
    for (const auto& [k, v] : o.inputs) event["inputs"][k] = v;
  }
  ghc["event_name"] = o.event_name;
  ghc["actor"] = o.actor.empty() ? "nektos/act" : o.actor;
  ghc["triggering_actor"] = ghc["actor"];
  ghc["run_number"] = "1";
  ghc["run_attempt"] = "1";
  ghc["retention_days"] = "0";
  bool pr = o.event_name == "pull_request" || o.event_name == "pull_request_target";
  ghc["base_ref"] = pr ? Str(event, {"pull_request", "base", "ref"}) : "";
  ghc["head_ref"] = pr ? Str(event, {"pull_request", "head", "ref"}) : "";
  SetRepository(o, ghc);
  RefFromEvent(o.event_name, event, ghc);
  if (Str(ghc, {"ref"}).empty()) {
    std::string branch = o.default_branch.empty() ? "master" : o.default_branch;
    if (!event.contains("repository") || !event["repository"].is_object())
      event["repository"] = Json::object();
    if (!event["repository"].contains("default_branch"))
      event["repository"]["default_branch"] = branch;
    std::string ref = GitRef(o.repo_dir);
    ghc["ref"] = ref.empty() ? "refs/heads/" + Str(event, {"repository", "default_branch"}) : ref;
  }
  if (Str(ghc, {"sha"}).empty()) {
    auto sha = Git(o.repo_dir, {"rev-parse", "--verify", "-q", "HEAD"});
    ghc["sha"] = sha && sha->size() >= 40 ? *sha : kZeroSha;
    if (!sha) WarnIfRefused(o.repo_dir);
  }
  ApplyEnvOverrides(o.env, ghc);  // ref first, so that its type and name follow it
  auto [type, name] = RefTypeAndName(ghc["ref"].get<std::string>());
  if (!ghc.contains("ref_type")) ghc["ref_type"] = type;
  if (!ghc.contains("ref_name")) ghc["ref_name"] = name;
  ghc["event"] = std::move(event);
  SetUrls(o, ghc);
  ApplyEnvOverrides(o.env, ghc);  // the URLs too
  return ghc;
}

}  // namespace kiln::workflow
