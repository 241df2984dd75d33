// A nightly image: one image snapshotted again and again, each job starting from the version the
// one before made. Before max_layers, each snapshot added a layer; after 44 the overlay mount
// failed ("overlay mount options too long for 45 layers") and kiln still made that version
// `latest`. Now the chain stays at most max_layers (default 32) long and every version starts.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class ChainE2E : public KilnE2E {};

TEST_F(ChainE2E, TwoHundredSnapshotsInAChainStayBoundedAndTheLastOneRuns) {
  testing::MakeBusyboxRootfs(dir_.Sub("rootfs"));
  ASSERT_EQ(Kiln({"-q", "image", "import", dir_.Sub("rootfs"), "busybox:1"}).code, 0);
  Workflow(
      "first.yml",
      "on: push\njobs:\n  grow:\n    runs-on: {image: \"busybox:1\", size: 1x1}\n"
      "    snapshot: chain\n    steps:\n      - run: echo 0 >> /chain.log\n        shell: sh\n");
  auto first = Kiln({"-q", "run", ".github/workflows/first.yml"});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  Workflow(
      "grow.yml",
      "on: push\njobs:\n  grow:\n    runs-on: {image: \"chain:latest\", size: 1x1}\n"
      "    snapshot: chain\n    steps:\n      - run: echo $N >> /chain.log\n        shell: sh\n");
  size_t most_layers = 0;
  bool squashed = false;
  for (int i = 1; i < 200; ++i) {
    auto r = Kiln({"run", ".github/workflows/grow.yml", "--env", "N=" + std::to_string(i)});
    ASSERT_EQ(r.code, 0) << "run " << i << ":\n" << r.out << r.err;
    squashed |= r.out.find("squashed into one layer over the original base") != std::string::npos;
    auto inspect = Kiln({"image", "inspect", "chain:latest", "--json"});
    ASSERT_EQ(inspect.code, 0) << inspect.err;
    auto j = ParseJson(inspect.out);
    ASSERT_TRUE(j.ok());
    most_layers = std::max(most_layers, (*j)["manifest"]["layers"].size());
  }
  EXPECT_TRUE(squashed) << "no job said it squashed the chain";
  EXPECT_LE(most_layers, 32u);
  auto versions = Versions("chain");
  EXPECT_EQ(versions.size(), 200u);
  // A job on the last version sees every job's line, in order.
  Workflow("check.yml",
           "on: push\njobs:\n  check:\n    runs-on: {image: \"chain:latest\", size: 1x1}\n"
           "    steps:\n      - run: wc -l < /chain.log; head -1 /chain.log; tail -1 /chain.log\n"
           "        shell: sh\n");
  auto check = Kiln({"run", ".github/workflows/check.yml"});
  ASSERT_EQ(check.code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("| 200\n"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("| 0\n"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("| 199\n"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace kiln::cli
