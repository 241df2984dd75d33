// The examples under examples/ run as their READMEs say, so the demo a new user runs works.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

using ExamplesE2E = KilnE2E;

// examples/custom-image: image.yml snapshots "toolbox" from .deb files (no network in the job),
// and the CI workflow runs on toolbox:latest with the tools already there.
TEST_F(ExamplesE2E, CustomImageIsBuiltAndCiRunsOnIt) {
  const std::string debs = "/var/cache/kiln-test/debs";
  ASSERT_TRUE(PathExists(debs + "/COMPLETE"))
      << "run scripts/fixtures.sh first (it downloads " << debs << ")";
  ImportDebian({"debian:bookworm"});
  std::string example = ws_ + "/example";
  ASSERT_TRUE(
      RunChecked({"cp", "-a", testing::SourceDir() + "/examples/custom-image", example}).ok());
  ASSERT_TRUE(RunChecked({"sh", "-c", "mkdir -p \"$1/debs\" && cp \"$2\"/*.deb \"$1/debs/\"", "sh",
                          example, debs})
                  .ok());

  auto image = Kiln({"run", "image.yml"}, example);
  ASSERT_EQ(image.code, 0) << image.out << image.err;
  EXPECT_NE(image.out.find("toolbox:1.0.0"), std::string::npos) << image.out;
  Json versions = Versions("toolbox");
  ASSERT_EQ(versions.size(), 1u) << versions.dump();
  EXPECT_EQ(versions[0]["tag"], "1.0.0");

  auto ci = Kiln({"run"}, example);
  EXPECT_EQ(ci.code, 0) << ci.out << ci.err;
  EXPECT_NE(ci.out.find("kiln-custom-image-example 1.0.0"), std::string::npos) << ci.out;
  // The workspace (and so the .debs) is not part of the image: it holds the installed tools only.
  auto diff = Kiln({"image", "diff", "debian:bookworm", "toolbox:1.0.0"});
  EXPECT_EQ(diff.code, 0) << diff.err;
  EXPECT_NE(diff.out.find("/usr/bin/jq"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find(".deb"), std::string::npos) << diff.out;
}

}  // namespace
}  // namespace kiln::cli
