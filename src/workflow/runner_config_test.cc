// The config file's size settings: default_size and per-size disk figures; every job gets a size.
#include "workflow/runner_config.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

Result<RunnerConfig> Load(const std::string& toml) {
  testing::ScratchDir dir;
  EXPECT_TRUE(WriteScratchFile(dir.Sub("config.toml"), toml).ok());
  return LoadRunnerConfig(dir.Sub("config.toml"));
}

TEST(RunnerConfigSizes, DefaultsTo2x8WithTheTablesDisk) {
  RunnerConfig c;
  EXPECT_EQ(c.default_size, "2x8");
  EXPECT_EQ(JobSize(c, "", ""), "2x8");
  EXPECT_EQ(SizeWithConfig(c, "2x8")->disk_bytes, int64_t{50} << 30);
}

TEST(RunnerConfigSizes, ConfigSetsDefaultSizeAndDisk) {
  auto c = Load(
      "default_size = \"4x16\"\n[sizes.\"2x8\"]\ndisk = \"1G\"\n[sizes.\"4x16\"]\ndisk = "
      "\"200M\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->default_size, "4x16");
  EXPECT_EQ(SizeWithConfig(*c, "2x8")->disk_bytes, int64_t{1} << 30);
  EXPECT_EQ(SizeWithConfig(*c, "4x16")->disk_bytes, int64_t{200} << 20);
  EXPECT_EQ(SizeWithConfig(*c, "8x32")->disk_bytes, int64_t{200} << 30);  // the table's
}

TEST(RunnerConfigSizes, AJobWithoutSizeGetsTheLargerOfDefaultAndImage) {
  RunnerConfig c;
  EXPECT_EQ(JobSize(c, "", "4x16"), "4x16");
  EXPECT_EQ(JobSize(c, "", "1x1"), "2x8");
  EXPECT_EQ(JobSize(c, "", "3x9"), "2x8");      // an unparsable record is ignored
  EXPECT_EQ(JobSize(c, "1x1", "4x16"), "1x1");  // a size the job names is kept (and checked later)
}

TEST(RunnerConfigSizes, BadSettingsAreRefused) {
  for (const char* bad :
       {"default_size = \"3x9\"\n", "default_size = 8\n", "[sizes.\"3x9\"]\ndisk = \"1G\"\n",
        "[sizes.\"2x8\"]\ndisk = \"lots\"\n", "[sizes.\"2x8\"]\ncpus = \"4\"\n", "sizes = 3\n"}) {
    auto c = Load(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

// Runner choice, every source in its precedence order: container:, runs-on image, -P, a
// runner, [labels], default_image. Each step removes the winner and checks the next one.
TEST(ChooseRunnerTest, EverySourceInPrecedenceOrder) {
  Job job;
  job.id = "build";
  job.pos = {"ci.yml", 3, 3};
  RunnerConfig c;
  c.default_image = "default-image";
  c.labels = {{"l", "config-image"}};
  c.overrides = {{"l", "flag-image"}, {"node:16", "flag-for-container"}};
  bool runner_exists = true;
  c.runner_lookup = [&](const std::string& name) -> Result<RunnerTarget> {
    if (name == "l" && runner_exists) return RunnerTarget{"runner-image:1.2.0", "4x16", "", ""};
    return NotFound("no runner " + name);
  };
  RunsOn ro;
  ro.labels = {"l"};
  ro.image = "runs-on-image";
  auto choose = [&](const std::string& container) {
    auto t = ChooseRunner(job, ro, container, c);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->image + " | " + t->size + " | " + t->via : t.status().ToString();
  };
  EXPECT_EQ(choose("debian:bookworm"), "debian:bookworm |  | container debian:bookworm");
  EXPECT_EQ(choose("node:16"),
            "flag-for-container |  | container node:16");  // -P maps a container image
  EXPECT_EQ(choose(""), "runs-on-image |  | runs-on image");
  ro.image = "";
  // Before: the runner won over the flag in silence.
  EXPECT_EQ(choose(""), "flag-image |  | label l (-P)");
  c.overrides.erase("l");
  EXPECT_EQ(choose(""), "runner-image:1.2.0 | 4x16 | runner l");
  runner_exists = false;
  EXPECT_EQ(choose(""), "config-image |  | label l (config)");
  c.labels.clear();
  EXPECT_EQ(choose(""), "default-image |  | default_image");
  c.default_image.clear();
  auto none = ChooseRunner(job, ro, "", c);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("ci.yml:3:3: job build runs on \"l\""), std::string::npos);
  EXPECT_NE(none.status().message().find("-P l=IMAGE"), std::string::npos);
}

TEST(ChooseRunnerTest, LabelsInTurnSizesAndLookupErrors) {
  Job job;
  RunnerConfig c;
  c.labels = {{"second", "config-image"}};
  c.runner_lookup = [](const std::string& name) -> Result<RunnerTarget> {
    if (name == "broken") return Unavailable("catalogue locked");
    if (name == "r") return RunnerTarget{"runner-image:1.0.0", "4x16", "", ""};
    return NotFound("no runner " + name);
  };
  RunsOn ro;
  ro.labels = {"first", "second"};
  auto t = ChooseRunner(job, ro, "", c);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->image, "config-image");  // the first label that maps to anything
  ro.labels = {"r"};
  ro.size = "8x32";  // runs-on's size wins over the runner's
  t = ChooseRunner(job, ro, "", c);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size, "8x32");
  ro.labels = {"broken"};
  EXPECT_EQ(ChooseRunner(job, ro, "", c).status().code(), Code::kUnavailable);  // not "no runner"
  EXPECT_FALSE(AddOverride(c, "=x").ok());
  EXPECT_FALSE(AddOverride(c, "x=").ok());
  EXPECT_TRUE(AddOverride(c, "ubuntu-latest=debian:bookworm").ok());
  EXPECT_EQ(c.overrides["ubuntu-latest"], "debian:bookworm");
}

}  // namespace
}  // namespace kiln::workflow
