// The planning of steps (no engine: plans are made, never run): what ARG, ENV and the other
// config instructions do to the build's variables and the image config, as docker does it.
#include "build/steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/json.h"
#include "testing/test_env.h"

namespace kiln::build {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StepsTest : public ::testing::Test {
 protected:
  StepsTest() {
    s_.request = &request_;
    s_.image.config.env = {"PATH=/bin", "FROM_IMAGE=img"};
  }
  const Instruction& In(const std::string& line) {
    auto df = ParseDockerfile("FROM scratch\n" + line + "\n", "Dockerfile");
    EXPECT_TRUE(df.ok()) << df.status().ToString();
    kept_.push_back(df.ok() ? df->instructions.back() : Instruction{});
    return kept_.back();
  }
  std::string KeyText(const std::string& line) {
    auto plan = PlanConfig(In(line), s_);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? plan->key_text : "";
  }
  std::string ArgKey(const std::string& line, bool global = false) {
    auto plan = PlanArg(In(line), s_, global);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() && *plan ? (*plan)->key_text : "";
  }
  BuildRequest request_;
  BuildState s_;
  std::vector<Instruction> kept_;
};

TEST_F(StepsTest, EnvPairsSeeTheValuesBeforeTheInstruction) {
  s_.image.config.env.push_back("A=old");
  EXPECT_EQ(KeyText("ENV A=new B=$A C=\"${FROM_IMAGE} x\""), R"(ENV ["A=new","B=old","C=img x"])");
  EXPECT_EQ(KeyText("ENV D two  words"), R"(ENV ["D=two  words"])");
  EXPECT_EQ(KeyText("LABEL \"k\"=v other='$A'"), R"(LABEL ["k=v","other=$A"])");
}

TEST_F(StepsTest, ArgsTakeBuildArgsThenDefaultsAndEnvWinsInSubstitution) {
  request_.build_args = {{"GIVEN", "from-cli"}, {"GLOBAL", "cli-global"}};
  EXPECT_EQ(ArgKey("ARG GLOBAL=g", true), "");  // before FROM: no step
  EXPECT_EQ(ArgKey("ARG ONLY_GLOBAL=og", true), "");
  EXPECT_EQ(s_.global_args.at("GLOBAL"), "cli-global");
  EXPECT_EQ(s_.args.count("GLOBAL"), 0u);  // not in the stage until redeclared
  EXPECT_EQ(ArgKey("ARG GIVEN=default DEF=d NONE ONLY_GLOBAL"),
            R"(ARG ["GIVEN=from-cli","DEF=d","NONE","ONLY_GLOBAL=og"])");
  EXPECT_EQ(s_.args.at("GIVEN"), "from-cli");
  EXPECT_EQ(s_.args.count("NONE"), 0u);
  EXPECT_THAT(s_.used_build_args, ElementsAre("GIVEN", "GLOBAL"));
  s_.image.config.env.push_back("DEF=from-env");
  EXPECT_EQ(KeyText("WORKDIR /$DEF/$GIVEN"), "WORKDIR /from-env/from-cli");
  std::vector<std::string> env = RunEnv(s_);
  EXPECT_THAT(env, ElementsAre("PATH=/bin", "FROM_IMAGE=img", "DEF=from-env", "GIVEN=from-cli",
                               "ONLY_GLOBAL=og"));
}

TEST_F(StepsTest, RunEnvSetsPathWhenTheImageHasNone) {
  s_.image.config.env.clear();
  EXPECT_THAT(RunEnv(s_), ElementsAre(HasSubstr("PATH=/usr/local/sbin")));
}

TEST_F(StepsTest, WorkdirIsRelativeToTheOneBefore) {
  s_.image.config.working_dir = "/app";
  EXPECT_EQ(KeyText("WORKDIR sub/../lib"), "WORKDIR /app/lib");
  EXPECT_EQ(KeyText("WORKDIR /abs"), "WORKDIR /abs");
}

TEST_F(StepsTest, ExposeCmdEntrypointAndShell) {
  EXPECT_EQ(KeyText("EXPOSE 80 53/UDP 8000-8002/tcp"),
            R"(EXPOSE ["80/tcp","53/udp","8000/tcp","8001/tcp","8002/tcp"])");
  EXPECT_EQ(KeyText("CMD echo hi"), R"(CMD ["/bin/sh","-c","echo hi"])");
  EXPECT_EQ(KeyText("ENTRYPOINT [\"/bin/app\"]"), R"(ENTRYPOINT ["/bin/app"])");
  s_.image.config.raw = R"({"config":{"Shell":["/bin/bash","-ec"]}})";
  EXPECT_THAT(ShellOf(s_.image.config), ElementsAre("/bin/bash", "-ec"));
  EXPECT_EQ(KeyText("CMD make"), R"(CMD ["/bin/bash","-ec","make"])");
  auto run = PlanRun(In("RUN make all"), s_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->key_text, R"(RUN [] ["/bin/bash","-ec","make all"])");
  s_.args["V"] = "1";
  run = PlanRun(In("RUN make all"), s_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->key_text, R"(RUN ["V=1"] ["/bin/bash","-ec","make all"])");
}

TEST_F(StepsTest, BadValuesNameTheirLocation) {
  auto bad = [&](const std::string& line) {
    auto plan = PlanConfig(In(line), s_);
    EXPECT_FALSE(plan.ok()) << line;
    return plan.ok() ? "" : plan.status().message();
  };
  EXPECT_THAT(bad("EXPOSE 80/sctpx"), HasSubstr("Dockerfile:2:8: EXPOSE: bad port"));
  EXPECT_THAT(bad("EXPOSE 9-1"), HasSubstr("bad port range"));
  EXPECT_THAT(bad("ENV A=1 B"), HasSubstr("Dockerfile:2:9: ENV: 'B' is not K=V"));
  EXPECT_THAT(bad("USER ${NOPE}"), HasSubstr("USER is empty after substitution"));
  EXPECT_THAT(bad("ENV X=${A/b/c}"), HasSubstr("unsupported substitution"));
}

}  // namespace
}  // namespace kiln::build

namespace kiln::build {
namespace {

TEST(ResolveInImage, FollowsTheImagesSymlinksInsideTheImage) {
  testing::ScratchDir dir;
  std::string low = dir.Sub("low"), up = dir.Sub("up");
  ASSERT_TRUE(MakeDirs(low + "/usr/bin").ok());
  ASSERT_TRUE(MakeDirs(low + "/usr/lib").ok());
  ASSERT_TRUE(MakeDirs(up).ok());
  ASSERT_EQ(::symlink("usr/bin", (low + "/bin").c_str()), 0);
  ASSERT_EQ(::symlink("/usr/lib", (up + "/lib").c_str()), 0);  // in a higher layer, absolute
  ASSERT_EQ(::symlink("loop2", (up + "/loop1").c_str()), 0);
  ASSERT_EQ(::symlink("loop1", (up + "/loop2").c_str()), 0);
  std::vector<std::string> layers = {low, up};
  EXPECT_EQ(ResolveInImage(layers, "/bin/x"), "/usr/bin/x");
  EXPECT_EQ(ResolveInImage(layers, "/lib/../etc"), "/usr/etc");
  EXPECT_EQ(ResolveInImage(layers, "/app/./x/"), "/app/x");
  EXPECT_EQ(ResolveInImage(layers, "/"), "/");
  ResolveInImage(layers, "/loop1/x");  // ends, whatever it gives
  EXPECT_TRUE(ImageHasDir(layers, "/bin"));
  EXPECT_TRUE(ImageHasDir(layers, "/lib"));
  EXPECT_FALSE(ImageHasDir(layers, "/app"));
  // A directory the layers need is made with the image's mode for what the image has.
  ASSERT_EQ(::chmod((low + "/usr").c_str(), 0711), 0);
  std::string root = dir.Sub("stage");
  ASSERT_TRUE(MakeDirs(root).ok());
  ASSERT_TRUE(StageDirs(layers, root, ResolveInImage(layers, "/bin/new")).ok());
  struct stat st;
  ASSERT_EQ(::lstat((root + "/usr").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  ASSERT_EQ(::lstat((root + "/usr/bin/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_FALSE(PathExists(root + "/bin"));  // the link is the image's, not replaced
}

}  // namespace
}  // namespace kiln::build

namespace kiln::build {
namespace {

TEST(ResolveOwner, NumbersOrNamesFromTheImagesFiles) {
  testing::ScratchDir dir;
  std::string low = dir.Sub("low"), up = dir.Sub("up");
  ASSERT_TRUE(MakeDirs(low + "/etc").ok());
  ASSERT_TRUE(MakeDirs(up + "/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(low + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n").ok());
  ASSERT_TRUE(WriteFileAtomic(up + "/etc/passwd",  // the upper layer's file wins
                              "root:x:0:0::/root:/bin/sh\nnode:x:1000:1001::/home/node:/bin/sh\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(low + "/etc/group", "root:x:0:\nstaff:x:50:\n").ok());
  std::vector<std::string> layers = {low, up};
  using Ids = std::pair<int, int>;
  EXPECT_EQ(ResolveOwner(layers, "1000").value(), Ids(1000, 1000));
  EXPECT_EQ(ResolveOwner(layers, "10:20").value(), Ids(10, 20));
  EXPECT_EQ(ResolveOwner(layers, "node").value(), Ids(1000, 1001));
  EXPECT_EQ(ResolveOwner(layers, "node:staff").value(), Ids(1000, 50));
  EXPECT_EQ(ResolveOwner(layers, "7:staff").value(), Ids(7, 50));
  auto missing = ResolveOwner(layers, "nobody");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no nobody in the image's /etc/passwd"));
  EXPECT_FALSE(ResolveOwner(layers, "node:nogroup").ok());
  EXPECT_FALSE(ResolveOwner(layers, "node:").ok());
}

}  // namespace
}  // namespace kiln::build
