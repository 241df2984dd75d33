// .kilnrc: act's .actrc format, checked flag by flag, in act's order.
#include "cli/kilnrc.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "cli/cmd_run_options.h"
#include "testing/test_env.h"

namespace kiln::cli {
namespace {

const char* Env(const char* name) {
  std::string n = name;
  return n == "IMG" ? "debian:bookworm" : nullptr;
}

TEST(KilnrcTest, OneFlagALineSplitAtTheFirstBlank) {
  auto args = ParseRcFile(
      "# defaults\n"
      "\n"
      "  -P ubuntu-latest=$IMG  \n"
      "--var GREETING=hello world\n"
      "--var Q=\"quoted\"\n"
      "--json\n"
      "not a flag: ignored, as act ignores it\n"
      "--actor=${NOPE}bob\n",
      "rc", RunFlagSpecs(), Env);
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  EXPECT_EQ(*args, (std::vector<std::string>{"-P", "ubuntu-latest=debian:bookworm", "--var",
                                             "GREETING=hello world", "--var", "Q=\"quoted\"",
                                             "--json", "--actor=bob"}));
}

TEST(KilnrcTest, ABadFlagNamesFileAndLine) {
  auto unknown = ParseRcFile("--json\n\n--bogus 1\n", "/home/u/.kilnrc", RunFlagSpecs(), Env);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "/home/u/.kilnrc:3: unknown option --bogus");
  auto no_value = ParseRcFile("-P\n", "rc", RunFlagSpecs(), Env);
  ASSERT_FALSE(no_value.ok());
  EXPECT_EQ(no_value.status().message(), "rc:1: option -P needs a value");
  auto stray = ParseRcFile("--list extra\n", "rc", RunFlagSpecs(), Env);
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("rc:1: --list takes no value"), std::string::npos);
}

TEST(KilnrcTest, HomeThenRepositoryThenCommandLine) {
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeDirs(dir.Sub("home")).ok());
  ASSERT_TRUE(MakeDirs(dir.Sub("repo")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("home/.kilnrc"), "--actor home\n--var A=1\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("repo/.kilnrc"), "--actor repo\n").ok());
  auto args =
      WithRcFiles({"--actor", "cli"}, dir.Sub("home"), dir.Sub("repo"), RunFlagSpecs(), Env);
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  EXPECT_EQ(*args, (std::vector<std::string>{"--actor", "home", "--var", "A=1", "--actor", "repo",
                                             "--actor", "cli"}));
  auto flags = Flags::Parse(*args, RunFlagSpecs());
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Get("--actor"), "cli");
  // The home dir as the working dir: its file is read once.
  auto once = WithRcFiles({}, dir.Sub("home"), dir.Sub("home"), RunFlagSpecs(), Env);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->size(), 4u);
  // No files: the command line as is.
  auto none = WithRcFiles({"-l"}, "", dir.Sub("nowhere"), RunFlagSpecs(), Env);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (std::vector<std::string>{"-l"}));
}

}  // namespace
}  // namespace kiln::cli
