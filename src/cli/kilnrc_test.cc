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

// The repository's own .kilnrc is written by whoever made the repository: no $NAME
// expansion, and only flags that change what runs (paths inside the repository); ~/.kilnrc
// stays fully trusted.
TEST(KilnrcTest, TheRepositorysFileMaySetOnlyWhatRuns) {
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeDirs(dir.Sub("home")).ok());
  ASSERT_TRUE(MakeDirs(dir.Sub("repo/ci")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("repo/ci/vars"), "A=1\n").ok());
  auto repo = [&](const std::string& text) {
    EXPECT_TRUE(WriteFileAtomic(dir.Sub("repo/.kilnrc"), text).ok());
    return WithRcFiles({}, dir.Sub("home"), dir.Sub("repo"), RunFlagSpecs(), Env);
  };
  auto ok = repo("-P ubuntu-latest=$IMG\n--env X=$IMG\n--var-file ci/vars\n-j build\n-v\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, (std::vector<std::string>{"-P", "ubuntu-latest=$IMG", "--env", "X=$IMG",
                                           "--var-file", "ci/vars", "-j", "build", "-v"}));
  for (const char* bad : {"-s AWS_SECRET_ACCESS_KEY", "--secret-file /home/u/.secrets",
                          "--tls-verify false", "--config x", "--bind", "--cache-dir /tmp/c",
                          "--env-file .env", "--secret=X", "-e event.json"}) {
    auto r = repo(std::string("--actor me\n") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(dir.Sub("repo/.kilnrc") + ":2: "), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("~/.kilnrc or on the command line"), std::string::npos)
        << r.status().message();
  }
  for (const char* outside :
       {"--var-file /etc/passwd", "--input-file ../x", "-W /etc", "--action-cache=../../cache"}) {
    auto r = repo(std::string(outside) + "\n");
    ASSERT_FALSE(r.ok()) << outside;
    EXPECT_NE(r.status().message().find("inside the repository"), std::string::npos)
        << r.status().message();
  }
  // The same flags in ~/.kilnrc are fine, expanded.
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("repo/.kilnrc"), "").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("home/.kilnrc"), "-s TOKEN\n--env X=$IMG\n").ok());
  auto home = WithRcFiles({}, dir.Sub("home"), dir.Sub("repo"), RunFlagSpecs(), Env);
  ASSERT_TRUE(home.ok()) << home.status().ToString();
  EXPECT_EQ(*home, (std::vector<std::string>{"-s", "TOKEN", "--env", "X=debian:bookworm"}));
}

}  // namespace
}  // namespace kiln::cli
