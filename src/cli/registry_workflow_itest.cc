// Depot's registry forms in workflows, end to end against Debian's docker-registry: jobs on a
// registry image (runs-on image, container), snapshot `push:`, and the snapshot action step.
#include "cli/e2e_util.h"
#include "oci/digest.h"
#include "testing/registry_server.h"

namespace kiln::cli {
namespace {

class RegistryWorkflowE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    auto server = testing::RegistryServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    registry_ = std::move(*server);
    host_ = registry_->host();
  }
  // Debian pushed to the registry as team/debian:12, then forgotten locally.
  void PushDebian() {
    ImportDebian({"debian:bookworm"});
    auto r = Kiln({"push", "debian:bookworm", host_ + "/team/debian:12"});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(Kiln({"image", "rm", "debian:bookworm"}).code, 0);
  }
  std::string SkopeoDigest(const std::string& ref) {
    auto r = RunProcess({"skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + ref}, {});
    if (!r.ok() || r->exit_code != 0) return "";
    return oci::Digest::FromData(r->out).str();
  }
  std::unique_ptr<testing::RegistryServer> registry_;
  std::string host_;
};

TEST_F(RegistryWorkflowE2E, RunsOnARegistryImagePullsItThenReChecksTheTagWithOneHead) {
  PushDebian();
  Workflow("ci.yml", "on: push\njobs:\n  a:\n    runs-on: {size: 2x8, image: " + host_ +
                         "/team/debian:12}\n    steps:\n      - run: cat /etc/debian_version\n"
                         "  b:\n    runs-on: x\n    container: " +
                         host_ + "/team/debian:12\n    steps:\n      - run: echo in-container\n");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("pulled " + host_ + "/team/debian:12"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in-container"), std::string::npos);
  auto again = Kiln({"run"});
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_EQ(again.out.find("pulling"), std::string::npos) << again.out;
}

TEST_F(RegistryWorkflowE2E, SnapshotPushSendsTheVersionAndLatest) {
  PushDebian();
  std::string repo = host_ + "/team/toolbox";
  Workflow("snap.yml", "on: push\njobs:\n  setup:\n    runs-on: {image: " + host_ +
                           "/team/debian:12}\n    snapshot: {image-name: toolbox, push: " + repo +
                           "}\n    steps:\n      - run: echo tool > /opt/tool\n");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::string v1 = SkopeoDigest(repo + ":1.0.0");
  EXPECT_FALSE(v1.empty()) << r.out;
  EXPECT_EQ(SkopeoDigest(repo + ":latest"), v1);
  // A later job runs on the pushed image by reference.
  Workflow("snap.yml", "on: push\njobs:\n  use:\n    runs-on: {image: " + repo +
                           ":1.0.0}\n    steps:\n      - run: cat /opt/tool\n");
  auto use = Kiln({"run"});
  ASSERT_EQ(use.code, 0) << use.out << use.err;
  EXPECT_NE(use.out.find("| tool"), std::string::npos) << use.out;
}

TEST_F(RegistryWorkflowE2E, AFailedPushKeepsTheVersionAndFailsTheJob) {
  ImportDebian({"debian:bookworm"});
  Workflow("snap.yml",
           "on: push\njobs:\n  setup:\n    runs-on: {image: debian:bookworm}\n"
           "    snapshot: {image-name: toolbox, push: 127.0.0.1:1/team/toolbox}\n"
           "    steps:\n      - run: true\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("toolbox:1.0.0 is saved locally, but its push failed"), std::string::npos)
      << r.out;
  EXPECT_EQ(Versions("toolbox").size(), 1u);
}

TEST_F(RegistryWorkflowE2E, TheSnapshotActionCapturesMidJobAndLaterStepsGoOn) {
  ImportDebian({"debian:bookworm"});
  std::string ref = host_ + "/team/mid:latest";
  Workflow("ci.yml", "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n"
                     "    steps:\n      - run: echo before > /opt/state\n"
                     "      - uses: depot/snapshot-action@v1\n        with:\n          image: |\n"
                     "            " + ref + "\n            " + host_ + "/team/mid:1\n"
                     "      - run: echo after > /opt/state && cat /opt/state\n");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| after"), std::string::npos) << r.out;
  std::string digest = SkopeoDigest(ref);
  ASSERT_FALSE(digest.empty()) << r.out;
  EXPECT_EQ(SkopeoDigest(host_ + "/team/mid:1"), digest);
  Workflow("ci.yml", "on: push\njobs:\n  b:\n    runs-on: {image: " + ref +
                         "}\n    steps:\n      - run: cat /opt/state\n");
  auto use = Kiln({"run"});
  ASSERT_EQ(use.code, 0) << use.out << use.err;
  EXPECT_NE(use.out.find("| before"), std::string::npos) << use.out;
}

}  // namespace
}  // namespace kiln::cli
