// RemoveVersions and PruneVersions on the in-memory catalogue (the catalogue's own rules are in
// catalog/'s conformance suite).
#include "images/remove.h"

#include <gtest/gtest.h>

namespace kiln::images {
namespace {

std::unique_ptr<catalog::Catalog> ThreeVersions() {
  auto cat = catalog::NewMemoryCatalog();
  for (int i = 0; i < 3; ++i) {
    catalog::NewVersion nv;
    nv.manifest = *oci::Digest::Parse("sha256:" + std::string(63, 'a') + std::to_string(i));
    EXPECT_TRUE(cat->AddVersion("toolbox", *catalog::ParseVersionSpec(""), nv).ok());
  }
  return cat;
}

TEST(RemoveVersionsTest, OneVersionByNumberOrLatest) {
  auto cat = ThreeVersions();
  auto r = RemoveVersions(*cat, "toolbox:1.1.0", false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->whole_image);
  ASSERT_EQ(r->removed.size(), 1u);
  EXPECT_EQ(r->removed[0].version.ToString(), "1.1.0");
  auto latest = RemoveVersions(*cat, "toolbox:latest", false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->removed[0].version.ToString(), "1.2.0");
  EXPECT_EQ(cat->List("toolbox")->size(), 1u);
}

TEST(RemoveVersionsTest, EveryVersionOrNoneWhenARunnerPins) {
  auto cat = ThreeVersions();
  ASSERT_TRUE(cat->PutRunner({"ci-large", "toolbox", "1.0.0", "4x16", ""}).ok());
  auto refused = RemoveVersions(*cat, "toolbox", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("ci-large"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(cat->List("toolbox")->size(), 3u);  // nothing changed
  EXPECT_EQ(cat->Resolve("toolbox", "latest")->version.ToString(), "1.2.0");
  auto forced = RemoveVersions(*cat, "toolbox:*", true);
  ASSERT_TRUE(forced.ok());
  EXPECT_TRUE(forced->whole_image);
  EXPECT_EQ(forced->removed.size(), 3u);
}

TEST(RemoveVersionsTest, NotACustomImageIsNotFound) {
  auto cat = ThreeVersions();
  EXPECT_EQ(RemoveVersions(*cat, "debian:bookworm", false).status().code(), Code::kNotFound);
  EXPECT_EQ(RemoveVersions(*cat, "sha256:" + std::string(64, 'b'), false).status().code(),
            Code::kNotFound);
  EXPECT_EQ(RemoveVersions(*cat, "Bad Name", false).status().code(), Code::kNotFound);
}

TEST(PruneVersionsTest, AppliesEachImagesPolicy) {
  auto cat = ThreeVersions();
  ASSERT_TRUE(cat->SetRetention("toolbox", {1, 0}).ok());
  auto pruned = PruneVersions(*cat, "", 0);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->size(), 2u);
  EXPECT_EQ(cat->List("toolbox")->size(), 1u);
}

}  // namespace
}  // namespace kiln::images
