// Custom images end to end: `snapshot:` makes versions, later jobs run on them, runners and
// sizes, rollback, removal, retention.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class SnapshotE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
  }
  // Runs a one-job workflow that snapshots `image` with `version` ("" for the string form).
  KilnResult Snap(const std::string& image, const std::string& version,
                  const std::string& script = "true", const std::string& extra = "") {
    std::string snap =
        version.empty() ? image
                        : "{image-name: " + image + ", version: \"" + version + "\"" + extra + "}";
    Workflow("snap.yml",
             "on: push\njobs:\n  setup:\n    runs-on: {image: debian:bookworm, size: 2x8}\n"
             "    snapshot: " +
                 snap + "\n    steps:\n      - run: |\n          " + script + "\n");
    return Kiln({"run"});
  }
  std::vector<std::string> Tags(const std::string& image) {
    std::vector<std::string> out;
    for (const auto& v : Versions(image)) {
      std::string t = v["tag"];
      if (v["tags"].size() > 1) t += "+latest";
      out.push_back(t);
    }
    return out;
  }
};

TEST_F(SnapshotE2E, VersionSequenceFromTheSeed) {
  ASSERT_EQ(Snap("tools", "").code, 0);
  ASSERT_EQ(Snap("tools", "").code, 0);
  ASSERT_EQ(Snap("tools", "2.*").code, 0);
  auto r = Snap("tools", "1.*");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tools:1.2.0 (latest)"), std::string::npos) << r.out;
  EXPECT_EQ(Tags("tools"), (std::vector<std::string>{"2.0.0", "1.2.0+latest", "1.1.0", "1.0.0"}));
}

// kiln-snapshot in a step: a version made mid-job (the job goes on), which a later job runs on;
// the command itself is in no layer.
TEST_F(SnapshotE2E, AStepsKilnSnapshotMakesAVersionALaterJobRunsOn) {
  Workflow("snap.yml",
           "on: push\njobs:\n  make:\n    runs-on: {image: debian:bookworm, size: 2x8}\n"
           "    steps:\n      - run: |\n          echo v1 > /opt/made\n"
           "          ref=$(kiln-snapshot stepped --version 3.*)\n"
           "          echo \"made $ref\"\n          echo later > /opt/later\n"
           "  use:\n    needs: make\n    runs-on: {image: 'stepped:latest', size: 2x8}\n"
           "    steps:\n      - run: test \"$(cat /opt/made)\" = v1 && test ! -e /opt/later\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("made stepped:3.0.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image stepped:3.0.0"), std::string::npos) << r.out;
  auto diff = Kiln({"image", "diff", "debian:bookworm", "stepped:3.0.0"});
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_NE(diff.out.find("A /opt/made\n"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("kiln-snapshot"), std::string::npos) << diff.out;
}

TEST_F(SnapshotE2E, FailedJobMakesNoVersion) {
  auto r = Snap("broken", "", "exit 4");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("no snapshot of broken"), std::string::npos) << r.out;
  EXPECT_TRUE(Versions("broken").empty());
}

TEST_F(SnapshotE2E, NextJobStartsFromTheImageWithoutTheWorkspace) {
  ASSERT_TRUE(WriteFileAtomic(ws_ + "/source.txt", "workspace file\n").ok());
  ASSERT_EQ(Snap("base", "",
                 "mkdir -p /opt/t && echo v1 > /opt/t/version && rm /usr/bin/zdump && "
                 "cp source.txt /opt/t/ && touch $HOME/in-home")
                .code,
            0);
  Workflow("snap.yml",
           "on: push\njobs:\n  use:\n    runs-on: {image: 'base:latest', size: 4x16}\n    steps:\n"
           "      - run: |\n          test \"$(cat /opt/t/version)\" = v1\n          test ! -e "
           "/usr/bin/zdump\n"
           "          test -f /opt/t/source.txt\n          test ! -e /github/home/in-home\n"
           "          test \"$(nproc)\" -ge 1\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("image base:1.0.0"), std::string::npos) << r.out;
  // The captured layer holds the job's changes but none of the bind mounts.
  auto inspect = Kiln({"image", "inspect", "base", "--json"});
  ASSERT_EQ(inspect.code, 0);
  auto j = ParseJson(inspect.out);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["manifest"]["layers"].size(), 2u);
  EXPECT_EQ((*j)["config"]["config"]["Labels"]["dev.kiln.runner.size"], "2x8");
  auto diff = Kiln({"image", "diff", "debian:bookworm", "base:1.0.0"});
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_NE(diff.out.find("A /opt/t/version\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("D /usr/bin/zdump\n"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("/github"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("/__w"), std::string::npos) << diff.out;
  // Removing the custom image frees its layer from the cache too.
  ASSERT_EQ(Kiln({"image", "rm", "base"}).code, 0);
  EXPECT_EQ(ListDir(state_ + "/layers")->size(), 1u);
}

TEST_F(SnapshotE2E, RunnersFollowLatestOrPinAndSizeIsChecked) {
  ASSERT_EQ(Snap("ci", "", "echo one > /ver").code, 0);
  ASSERT_EQ(
      Kiln({"runner", "add", "pinned", "--image", "ci", "--version", "1.0.0", "--size", "2x8"})
          .code,
      0);
  ASSERT_EQ(Kiln({"runner", "add", "follow", "--image", "ci", "--size", "4x16"}).code, 0);
  ASSERT_EQ(Kiln({"runner", "add", "small", "--image", "ci", "--size", "1x1"}).code, 0);
  ASSERT_EQ(Snap("ci", "", "echo two > /ver").code, 0);
  Workflow(
      "snap.yml",
      "on: push\njobs:\n  p:\n    runs-on: pinned\n    steps: [{run: 'test $(cat /ver) = one'}]\n"
      "  f:\n    runs-on: follow\n    steps: [{run: 'test $(cat /ver) = two'}]\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out;
  Workflow("snap.yml", "on: push\njobs:\n  s:\n    runs-on: small\n    steps: [{run: 'true'}]\n");
  r = Kiln({"run"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("was generated on a 2x8 runner; a 1x1 runner is too small"),
            std::string::npos)
      << r.out;
  // A pinned version is kept unless forced; rollback moves latest.
  auto rm = Kiln({"image", "rm", "ci:1.0.0"});
  EXPECT_EQ(rm.code, 1);
  EXPECT_NE(rm.err.find("ci:1.0.0 is pinned by runner pinned; remove the runner or use --force"),
            std::string::npos)
      << rm.err;
  EXPECT_EQ(Kiln({"image", "rollback", "ci", "1.0.0"}).code, 0);
  EXPECT_EQ(Tags("ci"), (std::vector<std::string>{"1.1.0", "1.0.0+latest"}));
  EXPECT_EQ(Kiln({"image", "rm", "--force", "ci:1.0.0"}).code, 0);
  EXPECT_EQ(Tags("ci"), (std::vector<std::string>{"1.1.0+latest"}));
}

// `kiln image rm NAME` removes every version or none: a pin anywhere refuses it before
// anything changes (it used to delete the newer versions and move latest first).
TEST_F(SnapshotE2E, RemovingAnImageWithAPinnedVersionChangesNothing) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Snap("toolbox", "").code, 0);
  ASSERT_EQ(Kiln({"runner", "add", "ci-large", "--image", "toolbox", "--version", "1.1.0", "--size",
                  "2x8"})
                .code,
            0);
  const std::vector<std::string> all = {"1.2.0+latest", "1.1.0", "1.0.0"};
  ASSERT_EQ(Tags("toolbox"), all);
  auto layers = ListDir(state_ + "/layers");
  ASSERT_TRUE(layers.ok());
  auto rm = Kiln({"image", "rm", "toolbox"});
  EXPECT_EQ(rm.code, 1);
  EXPECT_NE(
      rm.err.find("toolbox:1.1.0 is pinned by runner ci-large; remove the runner or use --force"),
      std::string::npos)
      << rm.err;
  EXPECT_EQ(rm.out.find("removed"), std::string::npos) << rm.out;
  EXPECT_EQ(Tags("toolbox"), all);
  EXPECT_EQ(ListDir(state_ + "/layers")->size(), layers->size());
  EXPECT_EQ(Kiln({"image", "inspect", "toolbox:1.2.0"}).code, 0);
  auto forced = Kiln({"image", "rm", "--force", "toolbox"});
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(forced.out.find("removed toolbox (3 versions)"), std::string::npos) << forced.out;
  EXPECT_TRUE(Versions("toolbox").empty());
}

TEST_F(SnapshotE2E, PersistEnvKeepsPathAndVarsButNoSecrets) {
  auto r = Snap("envy", "1.*",
                "echo /opt/bin >> $GITHUB_PATH; echo TOOL_HOME=/opt/tool >> $GITHUB_ENV; "
                "echo API_TOKEN=abc >> $GITHUB_ENV",
                ", persist-env: true");
  ASSERT_EQ(r.code, 0) << r.out;
  auto inspect = Kiln({"image", "inspect", "envy", "--json"});
  auto j = ParseJson(inspect.out);
  ASSERT_TRUE(j.ok());
  std::string env = (*j)["config"]["config"]["Env"].dump();
  EXPECT_NE(env.find("TOOL_HOME=/opt/tool"), std::string::npos) << env;
  EXPECT_NE(env.find("PATH=/opt/bin:"), std::string::npos) << env;
  EXPECT_EQ(env.find("API_TOKEN"), std::string::npos) << env;
  EXPECT_EQ(env.find("GITHUB_"), std::string::npos) << env;
}

TEST_F(SnapshotE2E, RetentionKeepsTheNewest) {
  ASSERT_EQ(Kiln({"image", "retention", "keep", "--keep", "2"}).code, 0);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Snap("keep", "").code, 0);
  EXPECT_EQ(Tags("keep"), (std::vector<std::string>{"1.3.0+latest", "1.2.0"}));
}

// layer_compression = "zstd": the next job (needs) runs on the version at once, its layer blob
// is zstd and skopeo reads the image; a job runs on it again once unpacked from that blob (the
// layer cache emptied).
TEST_F(SnapshotE2E, ZstdLayersFromTheConfigFileAreWrittenAndRead) {
  std::string config = dir_.Sub("config.toml");
  ASSERT_TRUE(WriteFileAtomic(config, "layer_compression = \"zstd\"\n").ok());
  Workflow("snap.yml",
           "on: push\njobs:\n  make:\n    runs-on: {image: debian:bookworm, size: 2x8}\n"
           "    snapshot: zt\n    steps:\n      - run: mkdir -p /opt && echo zstd > /opt/zt\n"
           "  use:\n    needs: make\n    runs-on: {image: 'zt:latest', size: 2x8}\n"
           "    steps:\n      - run: test \"$(cat /opt/zt)\" = zstd\n");
  auto r = Kiln({"run", "--config", config});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("zt:1.0.0 (latest) usable in"), std::string::npos) << r.out;
  auto inspect = Kiln({"image", "inspect", "zt", "--json"});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto j = ParseJson(inspect.out);
  ASSERT_TRUE(j.ok());
  ASSERT_EQ((*j)["manifest"]["layers"].size(), 2u);
  EXPECT_EQ((*j)["manifest"]["layers"][1]["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+zstd");
  std::string archive = dir_.Sub("zt.tar");
  ASSERT_EQ(Kiln({"image", "export", "zt:1.0.0", archive}).code, 0);
  auto skopeo = RunProcess({"skopeo", "inspect", "--raw", "oci-archive:" + archive + ":1.0.0"});
  ASSERT_TRUE(skopeo.ok() && skopeo->exit_code == 0);
  EXPECT_NE(skopeo->out.find("tar+zstd"), std::string::npos) << skopeo->out;

  for (const auto& name : ListDir(state_ + "/layers").value()) {
    ASSERT_TRUE(RemoveTree(state_ + "/layers/" + name).ok());
  }
  Workflow("snap.yml",
           "on: push\njobs:\n  use:\n    runs-on: {image: 'zt:latest', size: 2x8}\n"
           "    steps:\n      - run: test \"$(cat /opt/zt)\" = zstd\n");
  auto again = Kiln({"run"});
  EXPECT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("unpacked layer"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace kiln::cli
