// The github context from a real git repository (made here with git init), and without one.
#include "workflow/github_context.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

class GithubContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto git = RunProcess({"git", "--version"}, {});
    if (!git.ok() || git->exit_code != 0) GTEST_SKIP() << "these tests need git";
    ASSERT_TRUE(MakeDirs(repo_).ok());
  }
  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"git",
                                     "-c",
                                     "user.name=t",
                                     "-c",
                                     "user.email=t@example.com",
                                     "-c",
                                     "commit.gpgsign=false",
                                     "-c",
                                     "tag.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = repo_;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << args[0] << ": " << (r.ok() ? r->err : "");
    std::string out = r.ok() ? r->out : "";
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  // A repository on branch `dev` with one commit and `remote` as origin.
  void MakeRepo(const std::string& remote) {
    Git({"init", "-q", "-b", "dev"});
    ASSERT_TRUE(WriteFileAtomic(repo_ + "/f", "x").ok());
    Git({"add", "f"});
    Git({"commit", "-q", "-m", "one"});
    if (!remote.empty()) Git({"remote", "add", "origin", remote});
  }
  Json Build(const std::string& event = "push", Json payload = nullptr) {
    GithubOptions o;
    o.repo_dir = repo_;
    o.event_name = event;
    o.event = std::move(payload);
    return BuildGithubContext(o);
  }
  testing::ScratchDir dir_;
  std::string repo_ = dir_.Sub("myrepo");
};

TEST(RepoSlugTest, RemoteUrlForms) {
  EXPECT_EQ(RepoSlugFromUrl("https://github.com/acme/widget.git"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("https://github.com/acme/widget"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("https://user:pw@git.example.com:8443/acme/widget/"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("git@github.com:acme/widget.git"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("github.com:acme/widget"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("ssh://git@github.com:22/acme/widget.git"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("/srv/git/acme/widget.git"), "acme/widget");
  EXPECT_EQ(RepoSlugFromUrl("https://github.com/widget"), "");
  EXPECT_EQ(RepoSlugFromUrl("widget"), "");
}

TEST(RefTypeTest, TagsBranchesAndPulls) {
  EXPECT_EQ(RefTypeAndName("refs/tags/v1.2"),
            std::make_pair(std::string("tag"), std::string("v1.2")));
  EXPECT_EQ(RefTypeAndName("refs/heads/feat/x"),
            std::make_pair(std::string("branch"), std::string("feat/x")));
  EXPECT_EQ(RefTypeAndName("refs/pull/7/merge"),
            std::make_pair(std::string(""), std::string("7/merge")));
}

TEST_F(GithubContextTest, NoRepositoryGivesPlaceholders) {
  Json g = Build();
  EXPECT_EQ(g["sha"], "0000000000000000000000000000000000000000");
  EXPECT_EQ(g["repository"], "local/myrepo");
  EXPECT_EQ(g["repository_owner"], "local");
  EXPECT_EQ(g["ref"], "refs/heads/master");  // act's default branch
  EXPECT_EQ(g["ref_name"], "master");
  EXPECT_EQ(g["ref_type"], "branch");
  EXPECT_EQ(g["actor"], "nektos/act");
  EXPECT_EQ(g["event"]["repository"]["default_branch"], "master");
  EXPECT_EQ(g["server_url"], "https://github.com");
  EXPECT_EQ(g["api_url"], "https://api.github.com");
  EXPECT_EQ(g["graphql_url"], "https://api.github.com/graphql");
  EXPECT_EQ(g["retention_days"], "0");
}

TEST_F(GithubContextTest, ShaBranchAndHttpsRemote) {
  MakeRepo("https://github.com/acme/widget.git");
  Json g = Build();
  EXPECT_EQ(g["sha"], Git({"rev-parse", "HEAD"}));
  EXPECT_EQ(g["sha"].get<std::string>().size(), 40u);
  EXPECT_EQ(g["ref"], "refs/heads/dev");
  EXPECT_EQ(g["ref_name"], "dev");
  EXPECT_EQ(g["ref_type"], "branch");
  EXPECT_EQ(g["repository"], "acme/widget");
  EXPECT_EQ(g["repository_owner"], "acme");
  EXPECT_EQ(g["repositoryUrl"], "git://github.com/acme/widget.git");
}

// The cache's fallback branch: the remote's HEAD, else the current branch, else master.
TEST_F(GithubContextTest, RepoDefaultBranch) {
  EXPECT_EQ(RepoDefaultBranch(repo_, "origin"), "master");  // no repository
  MakeRepo("https://github.com/acme/widget.git");
  EXPECT_EQ(RepoDefaultBranch(repo_, "origin"), "dev");  // no origin/HEAD: the branch
  Git({"update-ref", "refs/remotes/origin/trunk", "HEAD"});
  Git({"symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk"});
  EXPECT_EQ(RepoDefaultBranch(repo_, "origin"), "trunk");
  EXPECT_EQ(RepoDefaultBranch(repo_, "upstream"), "dev");
  // The payload keeps act's default.
  EXPECT_EQ(Build("schedule")["event"]["repository"]["default_branch"], "master");
}

TEST_F(GithubContextTest, SshRemoteAndOtherRemoteName) {
  MakeRepo("git@github.com:acme/widget.git");
  Git({"remote", "add", "upstream", "ssh://git@example.com/up/stream.git"});
  EXPECT_EQ(Build()["repository"], "acme/widget");
  GithubOptions o;
  o.repo_dir = repo_;
  o.event_name = "push";
  o.remote_name = "upstream";
  EXPECT_EQ(BuildGithubContext(o)["repository"], "up/stream");
}

TEST_F(GithubContextTest, DetachedHeadOnATag) {
  MakeRepo("");
  Git({"tag", "v1.0"});
  Git({"checkout", "-q", "--detach"});
  Json g = Build();
  EXPECT_EQ(g["ref"], "refs/tags/v1.0");
  EXPECT_EQ(g["ref_name"], "v1.0");
  EXPECT_EQ(g["ref_type"], "tag");
  EXPECT_EQ(g["repository"], "local/myrepo");  // no origin
  // A tag on the branch's commit: the branch, as GitHub's push of it.
  Git({"checkout", "-q", "dev"});
  EXPECT_EQ(Build()["ref"], "refs/heads/dev");
  // Detached without a tag: a branch pointing at HEAD.
  Git({"tag", "-d", "v1.0"});
  Git({"checkout", "-q", "--detach"});
  EXPECT_EQ(Build()["ref"], "refs/heads/dev");
}

TEST_F(GithubContextTest, PullRequestPayload) {
  MakeRepo("https://github.com/acme/widget");
  Json payload = {{"number", 42},
                  {"pull_request", {{"head", {{"ref", "feature"}}}, {"base", {{"ref", "main"}}}}}};
  Json g = Build("pull_request", payload);
  EXPECT_EQ(g["ref"], "refs/pull/42/merge");
  EXPECT_EQ(g["ref_name"], "42/merge");
  EXPECT_EQ(g["head_ref"], "feature");
  EXPECT_EQ(g["base_ref"], "main");
  EXPECT_EQ(g["event"]["number"], 42);
  EXPECT_EQ(g["event_name"], "pull_request");
  // A push has no head_ref/base_ref, and takes the payload's ref.
  Json push = Build("push", {{"ref", "refs/tags/v9"}, {"deleted", false}, {"after", "abc"}});
  EXPECT_EQ(push["head_ref"], "");
  EXPECT_EQ(push["ref"], "refs/tags/v9");
  EXPECT_EQ(push["ref_type"], "tag");
  EXPECT_EQ(push["sha"], "abc");
}

TEST_F(GithubContextTest, FlagsAndEnvOverride) {
  MakeRepo("https://github.com/acme/widget");
  GithubOptions o;
  o.repo_dir = repo_;
  o.event_name = "workflow_dispatch";
  o.actor = "alice";
  o.instance = "ghe.example.com";
  o.default_branch = "trunk";
  o.inputs = {{"version", "1.2"}};
  o.env = {{"GITHUB_RUN_NUMBER", "17"}, {"GITHUB_REF", "refs/heads/rel"}};
  Json g = BuildGithubContext(o);
  EXPECT_EQ(g["actor"], "alice");
  EXPECT_EQ(g["server_url"], "https://ghe.example.com");
  EXPECT_EQ(g["api_url"], "https://ghe.example.com/api/v3");
  EXPECT_EQ(g["graphql_url"], "https://ghe.example.com/api/graphql");
  EXPECT_EQ(g["event"]["inputs"]["version"], "1.2");  // act: --input makes the payload
  EXPECT_EQ(g["event"]["repository"]["default_branch"], "trunk");
  EXPECT_EQ(g["run_number"], "17");
  EXPECT_EQ(g["ref"], "refs/heads/rel");
  EXPECT_EQ(g["ref_name"], "rel");
}

}  // namespace
}  // namespace kiln::workflow
