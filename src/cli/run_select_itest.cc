// kiln run in a git repository with an origin remote, under crun: the github context from the
// repository, vars and secrets from act's default files, workflow_dispatch inputs, -l and -n.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class RunSelectE2E : public KilnE2E {
 protected:
  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {
        "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = ws_;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.status().ToString());
    std::string out = r.ok() ? r->out : "";
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
};

TEST_F(RunSelectE2E, GithubContextVarsSecretsInputsListAndDryRun) {
  ImportDebian({"debian:bookworm"});
  Workflow("ci.yml", R"(name: CI
on: push
jobs:
  show:
    runs-on: {image: debian:bookworm}
    steps:
      - run: |
          echo "repo=${{ github.repository }} owner=$GITHUB_REPOSITORY_OWNER"
          echo "sha=${{ github.sha }} env=$GITHUB_SHA"
          echo "ref=$GITHUB_REF_NAME var=${{ vars.X }}"
          echo "secret=${{ secrets.TOKEN }}"
          echo "actor=$GITHUB_ACTOR/${{ github.actor }}"
)");
  Workflow("release.yml", R"(name: Release
on:
  workflow_dispatch:
    inputs:
      who: {required: true}
      loud: {type: boolean, default: false}
jobs:
  greet:
    runs-on: {image: debian:bookworm}
    steps:
      - run: echo "hello ${{ inputs.who }} loud=${{ inputs.loud }}"
      - if: ${{ inputs.loud }}
        run: echo "LOUD"
)");
  ASSERT_TRUE(WriteFileAtomic(ws_ + "/.secrets", "TOKEN=hunter2-in-secrets\n").ok());
  ASSERT_TRUE(WriteFileAtomic(ws_ + "/.vars", "X=from-vars-file\n").ok());
  ASSERT_TRUE(WriteFileAtomic(ws_ + "/.kilnrc", "# defaults\n--actor kilnrc-actor\n").ok());
  Git({"init", "-q", "-b", "trunk"});
  Git({"remote", "add", "origin", "https://github.com/acme/widget.git"});
  Git({"add", ".github"});
  Git({"commit", "-q", "-m", "ci"});
  std::string sha = Git({"rev-parse", "HEAD"});

  auto run = Kiln({"run"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("| repo=acme/widget owner=acme"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| sha=" + sha + " env=" + sha), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| ref=trunk var=from-vars-file"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| secret=***"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("hunter2-in-secrets"), std::string::npos);
  EXPECT_NE(run.out.find("| actor=kilnrc-actor/kilnrc-actor"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Not run: .github/workflows/release.yml"), std::string::npos);

  auto dispatch = Kiln({"run", "workflow_dispatch", "--input", "who=bob", "--input", "loud=true"});
  EXPECT_EQ(dispatch.code, 0) << dispatch.out << dispatch.err;
  EXPECT_NE(dispatch.out.find("| hello bob loud=true"), std::string::npos) << dispatch.out;
  EXPECT_NE(dispatch.out.find("| LOUD"), std::string::npos) << dispatch.out;
  auto missing = Kiln({"run", "workflow_dispatch"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("release.yml:5:12: input who is required"), std::string::npos)
      << missing.err;

  auto list = Kiln({"run", "-l"});
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("Stage  Job ID  Job name  Workflow name  Workflow file"),
            std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("greet"), std::string::npos);
  EXPECT_NE(list.out.find("show"), std::string::npos);

  auto dry = Kiln({"run", "-n", "workflow_dispatch", "--input", "who=amy"});
  EXPECT_EQ(dry.code, 0) << dry.err;
  // An implicit step name is the script's first line as written, as on GitHub.
  EXPECT_NE(dry.out.find("[Release/greet] ⭐ Run echo \"hello ${{ inputs.who }} loud=${{ "
                         "inputs.loud }}\""),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(dry.out.find("| hello"), std::string::npos) << dry.out;  // nothing ran
}

// act's workflow_dispatch case with its payload (-e): required input, default, boolean.
TEST_F(RunSelectE2E, ActWorkflowDispatchWithItsEventFile) {
  ImportDebian({"debian:bookworm"});
  std::string dir = testing::SourceDir() + "/../shared/external/act-testdata/workflow_dispatch";
  auto r = Kiln({"run", "-W", dir + "/workflow_dispatch.yml", "-e", dir + "/event.json", "-P",
                 "ubuntu-latest=debian:bookworm"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| input.required=required input"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| input.with_default=default"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiln::cli
