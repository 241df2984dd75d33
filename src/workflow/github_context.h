// The `github` context of a run, as act builds it: from the repository at the workspace (git),
// the event payload (-e) and flags (--actor, --github-instance, --defaultbranch,
// --remote-name). The runner adds the per-job keys (job, workflow, action, run_id when not
// given) and derives the GITHUB_* variables from it (job_env.cc).
#pragma once

#include <map>
#include <string>

#include "base/json.h"

namespace kiln::workflow {

struct GithubOptions {
  std::string repo_dir;    // the repository on the host (the current dir); may be no git repo
  std::string event_name;  // the run's event (ChooseEvent)
  Json event;              // the payload (-e FILE); null = none given
  std::string actor;       // --actor; "" = act's default, "nektos/act"
  std::string instance = "github.com";  // --github-instance: server, api and graphql URLs
  std::string default_branch;           // --defaultbranch; "" = act's "master"
  std::string remote_name = "origin";   // --remote-name: where repository comes from
  // --input values: with no payload given they become its `inputs`, as act does.
  std::map<std::string, std::string> inputs;
  // --env: act takes GITHUB_RUN_ID, GITHUB_RUN_NUMBER, GITHUB_RUN_ATTEMPT, GITHUB_REPOSITORY,
  // GITHUB_REPOSITORY_OWNER, GITHUB_REF, GITHUB_SHA (act: SHA_REF), GITHUB_REF_NAME,
  // GITHUB_REF_TYPE, GITHUB_BASE_REF, GITHUB_HEAD_REF, GITHUB_RETENTION_DAYS,
  // GITHUB_SERVER_URL, GITHUB_API_URL and GITHUB_GRAPHQL_URL from it as overrides.
  std::map<std::string, std::string> env;
};

// The context (without the per-job keys). Never fails: outside a git repository, or without
// the remote, commits or a branch, the keys git would give get placeholders: sha of 40 zeros,
// repository "local/<dir name>", ref refs/heads/<default branch>. git runs as a subprocess
// (no shell) in repo_dir.
Json BuildGithubContext(const GithubOptions& options);

// The repository's default branch for actions/cache's fallback scope: the remote's HEAD
// (git symbolic-ref refs/remotes/REMOTE/HEAD), else the current branch, else "master". (The
// payload's repository.default_branch stays act's "master" when neither -e nor
// --defaultbranch gives one.)
std::string RepoDefaultBranch(const std::string& repo_dir, const std::string& remote_name);

// "owner/repo" from a remote URL: https://host/owner/repo(.git), ssh://[user@]host[:port]/
// owner/repo(.git), [user@]host:owner/repo(.git), file paths ending in owner/repo(.git).
// "" when it has no owner/repo path.
std::string RepoSlugFromUrl(const std::string& url);

// The ref's type and short name, as act: refs/tags/T → {tag, T}, refs/heads/B → {branch, B},
// refs/pull/N/merge → {"", N/merge}.
std::pair<std::string, std::string> RefTypeAndName(const std::string& ref);

}  // namespace kiln::workflow
