// Jobs on kiln networks (config job_network): egress by default (a Debian package installs
// from the mirror), loopback only with job_network = "none", and nothing left afterwards.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class NetworkE2E : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
  }
  void ExpectNoNetworkLeft() {
    EXPECT_FALSE(PathExists(state_ + "/networks/kiln")) << "the job network outlived its jobs";
  }
};

// The one test that reaches outside: the Debian mirror, as a job's `apt-get install` does.
TEST_F(NetworkE2E, AJobInstallsADebianPackageThroughTheDefaultNetwork) {
  auto mirror = RunProcess({"curl", "-sSf", "-o", "/dev/null", "-m", "20",
                            "http://deb.debian.org/debian/dists/bookworm/Release"});
  if (!mirror.ok() || mirror->exit_code != 0)
    GTEST_SKIP() << "deb.debian.org is unreachable from this host: no egress to test";
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: apt-get update -qq && apt-get install -y -qq hello >/dev/null\n"
           "      - run: hello\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Hello, world!"), std::string::npos) << r.out;
  ExpectNoNetworkLeft();
}

TEST_F(NetworkE2E, JobsHaveAnInterfaceOnTheNetworkAndNoneMeansLoopbackOnly) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: grep -c eth0 /proc/net/dev || true\n"
           "      - run: grep nameserver /etc/resolv.conf\n");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| 1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("127.0.0."), std::string::npos) << r.out;
  ExpectNoNetworkLeft();
  std::string config = dir_.Sub("config.toml");
  ASSERT_TRUE(WriteFileAtomic(config, "job_network = \"none\"\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: grep -c eth0 /proc/net/dev || true\n");
  r = Kiln({"run", "--config", config});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| 0\n"), std::string::npos) << r.out;
  auto nets = ListDir(state_ + "/networks");  // the first run's network is gone, none was made
  ASSERT_TRUE(nets.ok());
  EXPECT_TRUE(nets->empty());
}

// A runner's own network (kiln runner add --network) goes before the config's job_network.
TEST_F(NetworkE2E, ARunnersNetworkOverridesTheConfigs) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n"
           "    snapshot: {image-name: ci}\n    steps:\n      - run: true\n");
  ASSERT_EQ(Kiln({"run"}).code, 0);
  ASSERT_EQ(Kiln({"runner", "add", "quiet", "--image", "ci", "--network", "none"}).code, 0);
  EXPECT_NE(Kiln({"runner", "add", "bad", "--image", "ci", "--network", "a/b"}).code, 0);
  auto ls = Kiln({"runner", "ls", "--json"});
  EXPECT_NE(ls.out.find("\"network\": \"none\""), std::string::npos) << ls.out;
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: quiet\n    steps:\n"
           "      - run: grep -c eth0 /proc/net/dev || true\n");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| 0\n"), std::string::npos) << r.out;
}

TEST_F(NetworkE2E, AnInvalidJobNetworkIsAConfigError) {
  std::string config = dir_.Sub("config.toml");
  ASSERT_TRUE(WriteFileAtomic(config, "job_network = \"a/b\"\n").ok());
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n"
           "    steps:\n      - run: true\n");
  auto r = Kiln({"run", "--config", config});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("job_network"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiln::cli
