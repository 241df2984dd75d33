// kiln gitlab driven as gitlab-runner drives a custom executor: each stage a process of its own,
// the job in CUSTOM_ENV_* variables, the scripts written to a temp dir, the runner's exit codes.
// (Here rather than in cli/: its own small binary, gitlab_itest; it runs the built kiln.)
#include <gtest/gtest.h>
#include <signal.h>

#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "testing/test_env.h"

namespace kiln::gitlab {
namespace {

struct KilnResult {
  int code = -1;
  std::string out, err;
};

constexpr int kBuildFailure = 11;
constexpr int kSystemFailure = 12;

class GitlabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "kiln's sandboxes need root";
    state_ = dir_.Sub("state");
    testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
    ASSERT_EQ(Kiln({"-q", "image", "import", dir_.Sub("rootfs"), "busybox:1"}).code, 0);
    ASSERT_TRUE(MakeDirs(dir_.Sub("runner")).ok());
    env_ = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "CUSTOM_ENV_CI_RUNNER_ID=4",
            "CUSTOM_ENV_CI_JOB_ID=100",
            "BUILD_FAILURE_EXIT_CODE=" + std::to_string(kBuildFailure),
            "SYSTEM_FAILURE_EXIT_CODE=" + std::to_string(kSystemFailure),
            "BUILD_EXIT_CODE_FILE=" + dir_.Sub("runner/exit-code")};
  }
  // One stage, as gitlab-runner runs it (the job's variables in the environment).
  KilnResult Stage(std::vector<std::string> args, const std::vector<std::string>& more_env = {}) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_, "gitlab"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--gitlab-runner", gitlab_runner_, "--builds-dir", dir_.Sub("builds"),
                             "--cache-dir", dir_.Sub("cache")});
    SubprocessOptions o;
    o.env = env_;
    o.env->insert(o.env->end(), more_env.begin(), more_env.end());
    o.cwd = dir_.Sub("runner");
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  KilnResult RunScript(const std::string& stage, const std::string& script) {
    std::string file = dir_.Sub("runner/script." + stage);
    EXPECT_TRUE(WriteFileAtomic(file, script).ok());
    return Stage({"run", file, stage});
  }
  size_t Sandboxes() {
    auto r = Kiln({"sandbox", "ls", "--json"});
    auto j = ParseJson(r.out);
    return j.ok() ? j->size() : 999;
  }
  void ExpectNothingLeft() {
    EXPECT_EQ(Sandboxes(), 0u);
    auto pods = ListDir(state_ + "/pods");
    EXPECT_TRUE(!pods.ok() || pods->empty()) << (*pods)[0];
    EXPECT_FALSE(PathExists(dir_.Sub("builds/gitlab-4-100")));
    auto networks = ListDir(state_ + "/networks");
    EXPECT_TRUE(!networks.ok() || networks->empty()) << (*networks)[0];
  }
  KilnResult Kiln(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string state_;
  std::vector<std::string> env_;
  std::string gitlab_runner_ = "none";
};

TEST_F(GitlabTest, APassingJobRunsItsStagesInTheSandboxAndCleanupLeavesNothing) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  auto config = Stage({"config"});
  ASSERT_EQ(config.code, 0) << config.err;
  auto j = ParseJson(config.out);
  ASSERT_TRUE(j.ok()) << config.out;
  std::string builds = (*j)["builds_dir"];
  EXPECT_EQ(builds, dir_.Sub("builds/gitlab-4-100"));
  EXPECT_EQ((*j)["cache_dir"], dir_.Sub("cache"));
  EXPECT_EQ((*j)["driver"]["name"], "kiln");

  auto prepare = Stage({"prepare"});
  ASSERT_EQ(prepare.code, 0) << prepare.err;
  // The builds dir is at the same path in the sandbox; the script's output streams back.
  auto get = RunScript("get_sources", "mkdir -p " + builds + "/proj && echo src > " + builds +
                                          "/proj/file && echo fetched");
  EXPECT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(get.out, "fetched\n");
  auto build = RunScript("build_script", "cd " + builds + "/proj && cat file && hostname");
  EXPECT_EQ(build.code, 0) << build.err;
  EXPECT_EQ(build.out, "src\n" + std::string((*j)["hostname"]) + "\n");
  EXPECT_EQ((*j)["hostname"], "kiln-gitlab-4-100");
  EXPECT_EQ(*ReadFile(builds + "/proj/file"), "src\n");
  EXPECT_FALSE(PathExists(dir_.Sub("runner/exit-code")));

  auto cleanup = Stage({"cleanup"});
  EXPECT_EQ(cleanup.code, 0) << cleanup.err;
  ExpectNothingLeft();
}

TEST_F(GitlabTest, AFailingScriptIsABuildFailureWithItsRealExitCodeInTheFile) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  auto prepared = Stage({"prepare"});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  auto run = RunScript("build_script", "echo about to fail; exit 42");
  EXPECT_EQ(run.code, kBuildFailure) << run.err;
  EXPECT_EQ(run.out, "about to fail\n");
  EXPECT_EQ(*ReadFile(dir_.Sub("runner/exit-code")), "42");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, SigtermFromTheRunnerReachesTheScript) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  auto prepared = Stage({"prepare"});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  std::string file = dir_.Sub("runner/script.build_script");
  ASSERT_TRUE(WriteFileAtomic(file,
                              "trap 'echo got TERM; exit 143' TERM; echo ready; "
                              "while :; do sleep 0.05; done")
                  .ok());
  std::vector<std::string> argv = {
      testing::KilnBinary(), "--state-dir",     state_, "gitlab", "run", file,
      "build_script",        "--gitlab-runner", "none"};
  SubprocessOptions o;
  o.env = env_;
  int pid = 0;
  std::string out;
  o.on_start = [&](int p) { pid = p; };
  // As gitlab-runner cancels a job: SIGTERM to run_exec once the script runs.
  o.on_line = [&](const std::string& line, bool is_stderr, bool) {
    if (!is_stderr) out += line + "\n";
    if (line == "ready") ::kill(pid, SIGTERM);
  };
  auto r = RunProcess(argv, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, kBuildFailure);
  EXPECT_EQ(out, "ready\ngot TERM\n");
  EXPECT_EQ(*ReadFile(dir_.Sub("runner/exit-code")), "143");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, AScriptSnapshotsWithKilnSnapshotAndALaterJobStartsFromIt) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  auto prepared = Stage({"prepare"});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  auto snap =
      RunScript("build_script", "echo installed > /opt-tool && kiln-snapshot mytool && echo after");
  EXPECT_EQ(snap.code, 0) << snap.err;
  EXPECT_EQ(snap.out, "mytool:1.0.0\nafter\n") << snap.err;
  // A capture that fails fails the script (a bad name).
  auto bad = RunScript("build_script", "kiln-snapshot 'Bad Name'");
  EXPECT_EQ(bad.code, kBuildFailure);
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();

  // The next job names the new image.
  env_ = {env_[0],
          "CUSTOM_ENV_CI_RUNNER_ID=4",
          "CUSTOM_ENV_CI_JOB_ID=101",
          "CUSTOM_ENV_CI_JOB_IMAGE=mytool:latest",
          "BUILD_FAILURE_EXIT_CODE=" + std::to_string(kBuildFailure),
          "SYSTEM_FAILURE_EXIT_CODE=" + std::to_string(kSystemFailure)};
  prepared = Stage({"prepare"});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  auto later = RunScript("build_script", "cat /opt-tool");
  EXPECT_EQ(later.code, 0) << later.err;
  EXPECT_EQ(later.out, "installed\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
}

TEST_F(GitlabTest, StagesThatCallGitlabRunnerFindTheHostsBinaryInTheSandbox) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  // A stand-in for the host's gitlab-runner: says how it was called.
  std::string fake = dir_.Sub("gitlab-runner");
  ASSERT_TRUE(WriteFileAtomic(fake, "#!/bin/sh\necho fake-runner \"$@\"\n", 0755).ok());
  gitlab_runner_ = fake;
  auto prepared = Stage({"prepare"});
  ASSERT_EQ(prepared.code, 0) << prepared.err;
  auto upload =
      RunScript("upload_artifacts_on_success", "gitlab-runner artifacts-uploader --path out.txt");
  EXPECT_EQ(upload.code, 0) << upload.err;
  EXPECT_EQ(upload.out, "fake-runner artifacts-uploader --path out.txt\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
  EXPECT_TRUE(PathExists(fake));  // a read-only mount of it, never moved or removed
}

TEST_F(GitlabTest, AMissingImageIsASystemFailureThatLeavesNothing) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=no-such-image:1");
  auto prepare = Stage({"prepare"});
  EXPECT_EQ(prepare.code, kSystemFailure);
  EXPECT_NE(prepare.err.find("no-such-image:1"), std::string::npos) << prepare.err;
  // A run after a failed prepare is a system failure too; cleanup after it is fine.
  auto run = RunScript("build_script", "true");
  EXPECT_EQ(run.code, kSystemFailure);
  EXPECT_NE(run.err.find("no job sandbox"), std::string::npos) << run.err;
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
  // No image at all, and no default: said so.
  env_.pop_back();
  auto none = Stage({"prepare"});
  EXPECT_EQ(none.code, kSystemFailure);
  EXPECT_NE(none.err.find("names no image"), std::string::npos) << none.err;
  // The config file's default_image is the default.
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("config.toml"), "default_image = \"busybox:1\"\n").ok());
  env_.push_back("KILN_CONFIG=" + dir_.Sub("config.toml"));
  auto with_default = Stage({"prepare"});
  EXPECT_EQ(with_default.code, 0) << with_default.err;
  auto ran = RunScript("build_script", "echo on the default");
  EXPECT_EQ(ran.out, "on the default\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, ServicesStartBeforeTheJobAndCleanupRemovesThem) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  env_.push_back(
      R"(CUSTOM_ENV_CI_JOB_SERVICES=[{"name":"busybox:1","alias":"cache","entrypoint":["sleep"],"command":["1000"]}])");
  auto prepare = Stage({"prepare"});
  ASSERT_EQ(prepare.code, 0) << prepare.err;
  EXPECT_EQ(Sandboxes(), 2u);
  auto state = ReadFile(state_ + "/pods/gitlab-4-100.json");
  ASSERT_TRUE(state.ok());
  auto j = ParseJson(*state);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["services"][0]["aliases"][0], "cache");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, TheJobReachesAServiceByItsAlias) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  env_.push_back(
      R"(CUSTOM_ENV_CI_JOB_SERVICES=[{"name":"busybox:1","alias":"web","entrypoint":["/bin/sh","-c"],"command":["mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www"]}])");
  auto prepare = Stage({"prepare"});
  ASSERT_EQ(prepare.code, 0) << prepare.err;
  // The service has no health check: the script retries, bounded by tries.
  auto run = RunScript("build_script",
                       "for i in $(seq 200); do wget -qO- http://web:8080/ && exit 0; "
                       "sleep 0.05; done; exit 1");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "hi\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, AServiceGetsTheJobsVariablesAndItsOwn) {
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  env_.push_back("CUSTOM_ENV_DB_NAME=app");
  env_.push_back("CUSTOM_ENV_SHARED=from-job");
  env_.push_back(
      R"(CUSTOM_ENV_CI_JOB_SERVICES=[{"name":"busybox:1","alias":"web","entrypoint":["/bin/sh","-c"],"command":["mkdir -p /www && echo \"$DB_NAME $SHARED\" > /www/index.html && exec httpd -f -p 8080 -h /www"],"variables":{"SHARED":"own"}}])");
  auto prepare = Stage({"prepare"});
  ASSERT_EQ(prepare.code, 0) << prepare.err;
  EXPECT_EQ(prepare.err.find("from-job"), std::string::npos);
  auto run = RunScript("build_script",
                       "for i in $(seq 200); do wget -qO- http://web:8080/ && exit 0; "
                       "sleep 0.05; done; exit 1");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "app own\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

TEST_F(GitlabTest, PrepareWaitsForAServicesExposedPort) {
  // An image that exposes 8080 and has no health check; its server opens the port late.
  ASSERT_TRUE(MakeDirs(dir_.Sub("ctx")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("ctx/Dockerfile"), "FROM busybox:1\nEXPOSE 8080\n").ok());
  auto built = Kiln({"-q", "build", "-t", "late-web:1", dir_.Sub("ctx")});
  ASSERT_EQ(built.code, 0) << built.err;
  env_.push_back("CUSTOM_ENV_CI_JOB_IMAGE=busybox:1");
  env_.push_back(
      R"(CUSTOM_ENV_CI_JOB_SERVICES=[{"name":"late-web:1","alias":"web","entrypoint":["/bin/sh","-c"],"command":["sleep 2; mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 8080 -h /www"]}])");
  auto prepare = Stage({"prepare"});
  ASSERT_EQ(prepare.code, 0) << prepare.err;
  EXPECT_EQ(prepare.err.find("WARNING"), std::string::npos) << prepare.err;
  // One try, no retries: the port is open once prepare returns.
  auto run = RunScript("build_script", "wget -qO- http://web:8080/");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "up\n");
  EXPECT_EQ(Stage({"cleanup"}).code, 0);
  ExpectNothingLeft();
}

}  // namespace
}  // namespace kiln::gitlab
