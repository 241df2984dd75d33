// kiln run's command line: the workflows and event it selects, and act's default files.
#include "cli/cmd_run_options.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::cli {
namespace {

Result<RunTarget> Target(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, RunFlagSpecs());
  if (!flags.ok()) return flags.status();
  return ChooseRunTarget(*flags, [](const std::string& p) {
    return p == "ci.yml" || p == "wfdir" || p == "pull_request.yml";
  });
}

TEST(RunTargetTest, FirstArgumentIsAPathOrTheEvent) {
  auto def = Target({});
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->path, ".github/workflows");
  EXPECT_EQ(def->event, "");
  EXPECT_FALSE(def->named_file);
  auto event = Target({"pull_request"});
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->event, "pull_request");
  EXPECT_EQ(event->path, ".github/workflows");
  auto file = Target({"ci.yml"});
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "ci.yml");
  EXPECT_TRUE(file->named_file);
  EXPECT_EQ(file->event, "");
  auto both = Target({"push", "-W", "ci.yml"});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->event, "push");
  EXPECT_EQ(both->path, "ci.yml");
  auto flag = Target({"--event", "release", "ci.yml"});
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->event, "release");
  // -W always names a path, even one named like an event.
  auto w = Target({"-W", "pull_request.yml"});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->path, "pull_request.yml");
  EXPECT_EQ(w->event, "");
}

TEST(RunTargetTest, Conflicts) {
  EXPECT_NE(Target({"-W", "ci.yml", "wfdir"}).status().message().find("two workflow paths"),
            std::string::npos);
  EXPECT_NE(Target({"--event", "push", "release"}).status().message().find("two events"),
            std::string::npos);
  EXPECT_EQ(Target({"missing/ci.yml"}).status().message(),
            "no workflow file or directory missing/ci.yml");
  EXPECT_FALSE(Target({"a", "b", "c"}).ok());
}

TEST(RunValuesTest, DefaultFilesAndFlags) {
  testing::ScratchDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".secrets"), "TOKEN=s3cret\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".env"), "FROM_ENV_FILE=1\nBOTH=file\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".vars"), "V=from-file\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".input"), "dry-run=true\n").ok());
  auto flags = Flags::Parse({"--env", "BOTH=flag", "--var", "W=2", "--input", "version=1.0"},
                            RunFlagSpecs());
  ASSERT_TRUE(flags.ok());
  workflow::RunOptions o;
  ASSERT_TRUE(LoadRunValues(*flags, dir.path(), o).ok());
  EXPECT_EQ(o.secrets, (std::map<std::string, std::string>{{"TOKEN", "s3cret"}}));
  EXPECT_EQ(o.workspace_skip, std::vector<std::string>{dir.Sub(".secrets")});  // not copied
  EXPECT_EQ(o.env, (std::map<std::string, std::string>{{"BOTH", "flag"}, {"FROM_ENV_FILE", "1"}}));
  EXPECT_EQ(o.vars, (std::map<std::string, std::string>{{"V", "from-file"}, {"W", "2"}}));
  EXPECT_EQ(o.inputs,
            (std::map<std::string, std::string>{{"dry-run", "true"}, {"version", "1.0"}}));
}

TEST(RunValuesTest, ANamedFileReplacesTheDefaultAndMustExist) {
  testing::ScratchDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".vars"), "V=default\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("my.vars"), "V=mine\n").ok());
  auto flags = Flags::Parse({"--var-file", dir.Sub("my.vars")}, RunFlagSpecs());
  workflow::RunOptions o;
  ASSERT_TRUE(LoadRunValues(*flags, dir.path(), o).ok());
  EXPECT_EQ(o.vars.at("V"), "mine");
  auto missing = Flags::Parse({"--env-file", dir.Sub("nope")}, RunFlagSpecs());
  workflow::RunOptions o2;
  Status s = LoadRunValues(*missing, dir.path(), o2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--env-file " + dir.Sub("nope")), std::string::npos);
  ASSERT_TRUE(WriteFileAtomic(dir.Sub(".secrets"), "OK=1\nbad line\n").ok());
  workflow::RunOptions o3;
  Status bad = LoadRunValues(*Flags::Parse({}, RunFlagSpecs()), dir.path(), o3);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find(".secrets:2:"), std::string::npos) << bad.message();
}

TEST(RunValuesTest, YamlFilesAreMappings) {
  testing::ScratchDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("vars.yml"), "A: one\nB: 2\nC:\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("bad.yaml"), "A:\n  nested: x\n").ok());
  workflow::RunOptions o;
  ASSERT_TRUE(LoadRunValues(*Flags::Parse({"--var-file", dir.Sub("vars.yml")}, RunFlagSpecs()),
                            dir.path(), o)
                  .ok());
  EXPECT_EQ(o.vars, (std::map<std::string, std::string>{{"A", "one"}, {"B", "2"}, {"C", ""}}));
  Status bad = LoadRunValues(*Flags::Parse({"--env-file", dir.Sub("bad.yaml")}, RunFlagSpecs()),
                             dir.path(), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("bad.yaml:2:3: the value of A must be a string"), std::string::npos)
      << bad.message();
}

TEST(RunGithubTest, EventPayloadMustBeAJsonObject) {
  testing::ScratchDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("bad.json"), "{\"a\": ").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("list.json"), "[1]").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("ok.json"), "{\"number\": 3}").ok());
  workflow::RunOptions o;
  o.event = "pull_request";
  Status bad =
      LoadGithub(*Flags::Parse({"-e", dir.Sub("bad.json")}, RunFlagSpecs()), dir.path(), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("bad.json: not valid JSON"), std::string::npos);
  EXPECT_FALSE(
      LoadGithub(*Flags::Parse({"-e", dir.Sub("list.json")}, RunFlagSpecs()), dir.path(), o).ok());
  ASSERT_TRUE(
      LoadGithub(*Flags::Parse({"-e", dir.Sub("ok.json"), "--actor", "bob"}, RunFlagSpecs()),
                 dir.path(), o)
          .ok());
  EXPECT_EQ(o.github["ref"], "refs/pull/3/merge");
  EXPECT_EQ(o.github["actor"], "bob");
  EXPECT_EQ(o.github["event_name"], "pull_request");
}

}  // namespace
}  // namespace kiln::cli
