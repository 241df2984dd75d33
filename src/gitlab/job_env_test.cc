#include "gitlab/job_env.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kiln::gitlab {
namespace {

TEST(JobEnvTest, KeyImageAndServicesComeFromCustomEnv) {
  Env env = {{"CUSTOM_ENV_CI_RUNNER_ID", "7"},
             {"CUSTOM_ENV_CI_JOB_ID", "1234"},
             {"CUSTOM_ENV_CI_JOB_IMAGE", "toolbox:latest"},
             {"CUSTOM_ENV_CI_JOB_SERVICES",
              R"([{"name":"redis:7","alias":"","entrypoint":null,"command":null},
                  {"name":"my-postgres:9.4","alias":"pg,db","entrypoint":["/bin/sh"],
                   "command":["-c","run"]}])"}};
  auto job = ParseJob(env);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->key, "gitlab-7-1234");
  EXPECT_EQ(job->image, "toolbox:latest");
  ASSERT_EQ(job->services.size(), 2u);
  EXPECT_EQ(job->services[0].name, "redis:7");
  EXPECT_EQ(job->services[0].aliases, std::vector<std::string>{"redis"});
  EXPECT_FALSE(job->services[0].entrypoint.has_value());
  EXPECT_EQ(job->services[1].aliases, (std::vector<std::string>{"pg", "db"}));
  EXPECT_EQ(*job->services[1].entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(*job->services[1].command, (std::vector<std::string>{"-c", "run"}));
}

TEST(JobEnvTest, ServiceVariablesAndTheJobsVariables) {
  Env env = {{"CUSTOM_ENV_CI_JOB_ID", "1"},
             {"CUSTOM_ENV_DB_NAME", "app"},
             {"NOT_CUSTOM", "x"},
             {"CUSTOM_ENV_CI_JOB_TOKEN", "glcbt-secret"},
             {"CUSTOM_ENV_CI_REPOSITORY_URL", "https://gitlab-ci-token:glcbt-secret@example/x.git"},
             {"CUSTOM_ENV_DOCKER_AUTH_CONFIG", "{}"},
             {"CUSTOM_ENV_CI_JOB_SERVICES",
              R"([{"name":"postgres:16","alias":"db","entrypoint":null,"command":null,
                   "variables":{"POSTGRES_PASSWORD":"s3cret","A":"x=y"}},
                  {"name":"redis:7","variables":[{"key":"K","value":"V"}]},
                  {"name":"busybox:1","variables":null}])"}};
  auto job = ParseJob(env);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_EQ(job->services.size(), 3u);
  EXPECT_EQ(job->services[0].env, (std::vector<std::string>{"A=x=y", "POSTGRES_PASSWORD=s3cret"}));
  EXPECT_EQ(job->services[1].env, std::vector<std::string>{"K=V"});
  EXPECT_TRUE(job->services[2].env.empty());
  std::vector<std::string> vars = job->variables;
  EXPECT_NE(std::find(vars.begin(), vars.end(), "DB_NAME=app"), vars.end());
  EXPECT_NE(std::find(vars.begin(), vars.end(), "CI_JOB_ID=1"), vars.end());
  for (const auto& v : vars) EXPECT_NE(v.rfind("NOT_CUSTOM", 0), 0u) << v;
  // The runner's credentials for the job go to no service.
  for (const auto& v : vars) {
    EXPECT_EQ(v.find("glcbt-secret"), std::string::npos) << v;
    EXPECT_NE(v.rfind("DOCKER_AUTH_CONFIG=", 0), 0u) << v;
  }
  // Malformed variables are refused without quoting a value.
  for (const char* bad : {R"({"K":7})", R"([{"value":"s3cret"}])", R"("s3cret")"}) {
    auto refused = ParseServices(std::string(R"([{"name":"a:1","variables":)") + bad + "}]");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().ToString().find("s3cret"), std::string::npos);
  }
}

TEST(JobEnvTest, FallsBackToTheConcurrentIdAndRejectsWhatIsNotAJob) {
  auto job = ParseJob({{"CUSTOM_ENV_CI_CONCURRENT_PROJECT_ID", "3"}});
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->key, "gitlab-0-3");
  EXPECT_TRUE(job->image.empty());
  EXPECT_TRUE(job->services.empty());
  EXPECT_EQ(ParseJob({}).status().code(), Code::kInvalidArgument);
  // A key is what Pod::Open accepts, whatever the variables hold.
  auto odd = ParseJob({{"CUSTOM_ENV_CI_RUNNER_ID", "../x"}, {"CUSTOM_ENV_CI_JOB_ID", "1 2"}});
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->key, "gitlab-___x-1_2");
  EXPECT_FALSE(ParseServices("{").ok());
  EXPECT_FALSE(ParseServices(R"({"name":"x"})").ok());
  EXPECT_FALSE(ParseServices(R"([{"alias":"x"}])").ok());
  EXPECT_FALSE(ParseServices(R"([{"name":"x","command":"not a list"}])").ok());
}

TEST(JobEnvTest, DefaultAliasesAreGitlabRunners) {
  EXPECT_EQ(DefaultAliases("tutum/wordpress:latest"),
            (std::vector<std::string>{"tutum__wordpress", "tutum-wordpress"}));
  EXPECT_EQ(DefaultAliases("registry.example.com:5000/team/db@sha256:abc"),
            (std::vector<std::string>{"registry.example.com:5000__team__db",
                                      "registry.example.com:5000-team-db"}));
  EXPECT_EQ(DefaultAliases("postgres"), std::vector<std::string>{"postgres"});
}

TEST(JobEnvTest, ImageCredentialsComeFromDockerAuthConfigForTheImagesHost) {
  // base64("ci:s3cret-pw")
  std::string config = R"({"auths":{"registry.example.com:5000":{"auth":"Y2k6czNjcmV0LXB3"}}})";
  auto c = ImageCredentials(config, "registry.example.com:5000/team/ci:3");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->username, "ci");
  EXPECT_EQ((*c)->password, "s3cret-pw");
  EXPECT_FALSE(ImageCredentials(config, "other.example.com/ci:3")->has_value());
  EXPECT_FALSE(ImageCredentials(config, "toolbox:latest")->has_value());
  EXPECT_FALSE(ImageCredentials("", "registry.example.com:5000/ci")->has_value());
  EXPECT_EQ(RegistryHost("localhost/x"), "localhost");
  EXPECT_EQ(RegistryHost("team/ci:1"), "");
  // A malformed value is an error that names the variable and quotes nothing of it.
  auto bad = ImageCredentials(R"({"auths":{"registry.example.com:5000":{"auth":"s3cret-pw)",
                              "registry.example.com:5000/ci");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("DOCKER_AUTH_CONFIG"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().ToString();
}

TEST(JobEnvTest, ExitCodesFromTheRunnerElseOne) {
  ExitCodes c = ParseExitCodes({{"BUILD_FAILURE_EXIT_CODE", "77"},
                                {"SYSTEM_FAILURE_EXIT_CODE", "x"},
                                {"BUILD_EXIT_CODE_FILE", "/tmp/code"}});
  EXPECT_EQ(c.build_failure, 77);
  EXPECT_EQ(c.system_failure, 1);
  EXPECT_EQ(c.build_exit_code_file, "/tmp/code");
}

}  // namespace
}  // namespace kiln::gitlab
