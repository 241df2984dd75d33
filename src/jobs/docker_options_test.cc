#include "jobs/docker_options.h"

#include <gtest/gtest.h>

namespace kiln::jobs {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SplitShellWords, QuotesAndEscapes) {
  auto w = SplitShellWords(R"(  --health-cmd "redis-cli ping" -e 'A=b c' x\ y "q\"q" '' )");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(*w, (std::vector<std::string>{"--health-cmd", "redis-cli ping", "-e", "A=b c", "x y",
                                          "q\"q", ""}));
  EXPECT_FALSE(SplitShellWords("--env 'A=b").ok());
  EXPECT_FALSE(SplitShellWords("--env \"A=b").ok());
  EXPECT_FALSE(SplitShellWords("a\\").ok());
}

TEST(SizeForLimits, SmallestSizeThatFits) {
  EXPECT_EQ(*SizeForLimits(0, 0), "");
  EXPECT_EQ(*SizeForLimits(1, 0), "1x1");
  EXPECT_EQ(*SizeForLimits(1.5, 0), "2x8");
  EXPECT_EQ(*SizeForLimits(0, 4LL << 30), "2x8");
  EXPECT_EQ(*SizeForLimits(1, 2LL << 30), "2x8");
  EXPECT_EQ(*SizeForLimits(3, 0), "4x16");
  EXPECT_EQ(*SizeForLimits(0, 17LL << 30), "8x32");
  EXPECT_FALSE(SizeForLimits(65, 0).ok());
  EXPECT_FALSE(SizeForLimits(0, 300LL << 30).ok());
}

TEST(DockerValues, BytesAndDurations) {
  EXPECT_EQ(*ParseDockerBytes("512m"), 512LL << 20);
  EXPECT_EQ(*ParseDockerBytes("4G"), 4LL << 30);
  EXPECT_EQ(*ParseDockerBytes("1024"), 1024);
  for (const char* bad : {"", "g", "4gb", "-1m", "4x", "0"}) {
    EXPECT_FALSE(ParseDockerBytes(bad).ok()) << bad;
  }
  EXPECT_DOUBLE_EQ(*ParseDockerDuration("30s"), 30);
  EXPECT_DOUBLE_EQ(*ParseDockerDuration("1m30s"), 90);
  EXPECT_DOUBLE_EQ(*ParseDockerDuration("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseDockerDuration("2h"), 7200);
  for (const char* bad : {"", "10", "s", "10 s", "10d", "1m30"}) {
    EXPECT_FALSE(ParseDockerDuration(bad).ok()) << bad;
  }
}

TEST(ApplyDockerOptions, EveryOptionHonoured) {
  ContainerRequest r;
  r.env = {"KEEP=1"};
  auto st = ApplyDockerOptions(
      "--cpus 1 --memory=2g -e A=1 --env B -e UNSET -u 1000:1000 -h db "
      "--health-cmd 'pg_isready -U x' --health-interval 10s --health-timeout=5s "
      "--health-retries 5 --health-start-period 1m --entrypoint /bin/sh --network-alias db2 "
      "-w /work --name mydb -m4g",
      Env({{"B", "from-hook"}}), &r);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(r.env, (std::vector<std::string>{"KEEP=1", "A=1", "B=from-hook"}));
  EXPECT_EQ(r.user, "1000:1000");
  EXPECT_EQ(r.hostname, "db");
  ASSERT_TRUE(r.health);
  EXPECT_EQ(r.health->test, (std::vector<std::string>{"CMD-SHELL", "pg_isready -U x"}));
  EXPECT_EQ(r.health->interval_seconds, 10);
  EXPECT_EQ(r.health->timeout_seconds, 5);
  EXPECT_EQ(r.health->retries, 5);
  EXPECT_EQ(r.health->start_period_seconds, 60);
  EXPECT_EQ(r.entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(r.aliases, std::vector<std::string>{"db2"});
  EXPECT_EQ(r.workdir, "/work");
  EXPECT_EQ(r.name, "mydb");
  EXPECT_EQ(r.size, "2x8");  // 1 CPU and 4 GB (the last -m wins)
}

TEST(ApplyDockerOptions, UnsupportedOrBadIsAnErrorNamingIt) {
  struct Case {
    const char* options;
    const char* named;
  };
  for (const Case& c : std::vector<Case>{{"--privileged", "--privileged"},
                                         {"--cpus 1 -v /a:/b", "-v"},
                                         {"--cap-add=SYS_ADMIN", "--cap-add"},
                                         {"--cpus", "--cpus needs a value"},
                                         {"--cpus two", "--cpus"},
                                         {"--cpus 0", "--cpus"},
                                         {"--memory 4q", "--memory"},
                                         {"--health-retries 0", "--health-retries"},
                                         {"--health-interval 10", "--health-interval"},
                                         {"--no-healthcheck=1", "--no-healthcheck"},
                                         {"redis", "'redis' is no option"},
                                         {"--cpus 128", "no kiln size"},
                                         {"-e 'A=1", "unclosed"}}) {
    ContainerRequest r;
    r.name = "before";
    Status st = ApplyDockerOptions(c.options, Env({}), &r);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.options;
    EXPECT_NE(st.message().find(c.named), std::string::npos) << st.message();
    EXPECT_EQ(r.name, "before");
  }
}

TEST(ApplyDockerOptions, SecretValuesNeverInErrors) {
  ContainerRequest r;
  Status st = ApplyDockerOptions("-e =hunter2", Env({}), &r);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message().find("hunter2"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace kiln::jobs
