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
  auto c = Load("default_size = \"4x16\"\n[sizes.\"2x8\"]\ndisk = \"1G\"\n[sizes.\"4x16\"]\ndisk = \"200M\"\n");
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
  EXPECT_EQ(JobSize(c, "", "3x9"), "2x8");  // an unparsable record is ignored
  EXPECT_EQ(JobSize(c, "1x1", "4x16"), "1x1");  // a size the job names is kept (and checked later)
}

TEST(RunnerConfigSizes, BadSettingsAreRefused) {
  for (const char* bad : {"default_size = \"3x9\"\n", "default_size = 8\n", "[sizes.\"3x9\"]\ndisk = \"1G\"\n",
                          "[sizes.\"2x8\"]\ndisk = \"lots\"\n", "[sizes.\"2x8\"]\ncpus = \"4\"\n", "sizes = 3\n"}) {
    auto c = Load(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

}  // namespace
}  // namespace kiln::workflow
