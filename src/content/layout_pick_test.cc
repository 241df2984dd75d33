// PickPlatform: which entry of an image index a host runs.
#include "content/layout_pick.h"

#include <gtest/gtest.h>

namespace kiln::content {
namespace {

oci::Descriptor Entry(const std::string& name, std::optional<oci::Platform> platform) {
  oci::Descriptor d;
  d.media_type = oci::kMediaTypeManifest;
  d.digest = oci::Digest::FromData(name);
  d.platform = std::move(platform);
  return d;
}

TEST(PickPlatformTest, Arm64TakesV8OrNoVariantButNotAnother) {
  oci::Platform host{"arm64", "linux", "v8"};
  auto v9 = Entry("v9", oci::Platform{"arm64", "linux", "v9"});
  auto none = Entry("none", oci::Platform{"arm64", "linux", ""});
  auto v8 = Entry("v8", oci::Platform{"arm64", "linux", "v8"});
  EXPECT_EQ(PickPlatform({v9, none}, host)->digest, none.digest);
  EXPECT_EQ(PickPlatform({v9, v8}, host)->digest, v8.digest);
  EXPECT_FALSE(PickPlatform({v9}, host));
  // A host that names no variant is v8 all the same.
  EXPECT_EQ(PickPlatform({v9, v8}, {"arm64", "linux", ""})->digest, v8.digest);
}

TEST(PickPlatformTest, ArmTakesTheHostsVariantThenTheHighestBelowIt) {
  auto v5 = Entry("v5", oci::Platform{"arm", "linux", "v5"});
  auto v6 = Entry("v6", oci::Platform{"arm", "linux", "v6"});
  auto v7 = Entry("v7", oci::Platform{"arm", "linux", "v7"});
  auto none = Entry("none", oci::Platform{"arm", "linux", ""});
  EXPECT_EQ(PickPlatform({v5, v6, v7}, {"arm", "linux", "v7"})->digest, v7.digest);
  EXPECT_EQ(PickPlatform({v5, v7, v6}, {"arm", "linux", "v6"})->digest, v6.digest);
  EXPECT_EQ(PickPlatform({v5, none, v6}, {"arm", "linux", "v7"})->digest, v6.digest);
  EXPECT_EQ(PickPlatform({none, v7}, {"arm", "linux", "v6"})->digest, none.digest);
  EXPECT_FALSE(PickPlatform({v7}, {"arm", "linux", "v6"}));
}

TEST(PickPlatformTest, AttestationAndPlatformlessEntriesNeverMatch) {
  oci::Platform host{"amd64", "linux", ""};
  auto attestation = Entry("att", oci::Platform{"unknown", "unknown", ""});
  auto bare = Entry("bare", std::nullopt);
  auto other = Entry("riscv", oci::Platform{"riscv64", "linux", ""});
  auto amd = Entry("amd", oci::Platform{"amd64", "linux", ""});
  EXPECT_FALSE(PickPlatform({attestation, bare, other}, host));
  EXPECT_EQ(PickPlatform({attestation, bare, other, amd}, host)->digest, amd.digest);
  EXPECT_FALSE(PickPlatform({attestation}, {"unknown", "unknown", ""}));
}

TEST(PickPlatformTest, Amd64PrefersAnExactVariantAndTakesV1AsNone) {
  auto v3 = Entry("v3", oci::Platform{"amd64", "linux", "v3"});
  auto v1 = Entry("v1", oci::Platform{"amd64", "linux", "v1"});
  EXPECT_EQ(PickPlatform({v3, v1}, {"amd64", "linux", ""})->digest, v1.digest);
  EXPECT_EQ(PickPlatform({v1, v3}, {"amd64", "linux", "v3"})->digest, v3.digest);
}

}  // namespace
}  // namespace kiln::content
