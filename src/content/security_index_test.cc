// An image index nested 10,000 deep (issue 7, item 6). Before: ResolvePlatform recursed once per
// level and overflowed the stack.
#include <gtest/gtest.h>

#include "content/layout_pick.h"

namespace kiln::content {
namespace {

oci::Descriptor IndexAt(int level) {
  oci::Descriptor d;
  d.media_type = oci::kMediaTypeIndex;
  d.digest = oci::Digest::FromData("index " + std::to_string(level));
  d.size = 1;
  d.platform = oci::HostPlatform();
  return d;
}

TEST(SecurityImageIndex, NestingIsCappedWithAnErrorNamingTheDepth) {
  std::map<std::string, int> level_of;
  for (int i = 0; i <= 10000; ++i) level_of[IndexAt(i).digest.str()] = i;
  int reads = 0;
  auto read = [&](const oci::Descriptor& d) -> Result<std::string> {
    ++reads;
    oci::Index next;
    next.manifests.push_back(IndexAt(level_of.at(d.digest.str()) + 1));
    return oci::SerializeIndex(next);
  };
  auto r = ResolvePlatform(IndexAt(0), read);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nests more than 8 indexes deep"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(reads, kMaxIndexDepth);
}

TEST(SecurityImageIndex, ShallowNestingStillResolves) {
  oci::Descriptor manifest;
  manifest.media_type = oci::kMediaTypeManifest;
  manifest.digest = oci::Digest::FromData("manifest");
  manifest.size = 1;
  manifest.platform = oci::HostPlatform();
  auto read = [&](const oci::Descriptor& d) -> Result<std::string> {
    oci::Index next;
    next.manifests.push_back(d.digest == IndexAt(2).digest ? manifest : IndexAt(2));
    return oci::SerializeIndex(next);
  };
  auto r = ResolvePlatform(IndexAt(0), read);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digest, manifest.digest);
}

}  // namespace
}  // namespace kiln::content
