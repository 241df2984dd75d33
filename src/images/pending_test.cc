// The text a pending catalogue version keeps (images/pending.h).
#include "images/pending.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::images {
namespace {

TEST(PendingSpecTest, RoundTrips) {
  PendingSpec s;
  s.base = oci::Digest::FromData("base manifest");
  s.layer_key = "snap-0123456789abcdef";
  s.runner_size = "2x8";
  s.source = "workflow ci.yml, job setup, run 1";
  s.env = {"PATH=/usr/bin", "A=b=c"};
  s.labels = {{"dev.kiln.root.layers", "1"}};
  s.created = 1700000000;
  s.compression = oci::Compression::kZstd;
  auto back = ParsePending(SerializePending(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->base, s.base);
  EXPECT_EQ(back->layer_key, s.layer_key);
  EXPECT_EQ(back->runner_size, s.runner_size);
  EXPECT_EQ(back->source, s.source);
  EXPECT_EQ(back->env, s.env);
  EXPECT_EQ(back->labels, s.labels);
  EXPECT_EQ(back->created, s.created);
  EXPECT_EQ(back->compression, oci::Compression::kZstd);
}

// The key names a dir in the layer cache: nothing else may be reached through it.
TEST(PendingSpecTest, RefusesBadKeysAndText) {
  PendingSpec s;
  s.base = oci::Digest::FromData("b");
  for (const char* key : {"", "../../etc", "snap-/../x", "0123abcd"}) {
    s.layer_key = key;
    EXPECT_EQ(ParsePending(SerializePending(s)).status().code(), Code::kInvalidArgument) << key;
  }
  EXPECT_EQ(ParsePending("{").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParsePending("{}").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParsePending(R"({"base":"nope"})").status().code(), Code::kInvalidArgument);
}

// Recorded in another boot of the host (the volatile overlay's dir was never synced): deleted,
// not packed; one of this boot is made whole as usual (not reached here: no base image).
TEST(PendingSpecTest, AVersionFromAnotherBootIsDeletedNotPacked) {
  EXPECT_FALSE(CurrentBootId().empty());
  testing::ScratchDir dir;
  auto store = content::ImageStore::Open(dir.Sub("oci"));
  ASSERT_TRUE(store.ok());
  auto layers = snapshot::LayerCache::Open(dir.Sub("layers"), &(*store)->blobs());
  ASSERT_TRUE(layers.ok());
  auto cat = catalog::NewMemoryCatalog();
  catalog::NewVersion whole;
  whole.manifest = oci::Digest::FromData("1.0.0");
  ASSERT_TRUE(cat->AddVersion("tools", {}, whole).ok());
  PendingSpec spec;
  spec.base = whole.manifest;
  spec.layer_key = snapshot::LayerCache::NewKey();
  spec.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_TRUE(FromAnotherBoot(spec));
  ASSERT_TRUE(MakeDirs(layers->DirFor(spec.layer_key)).ok());
  catalog::NewVersion nv;
  nv.pending = SerializePending(spec);
  auto v = cat->AddVersion("tools", {}, nv);
  ASSERT_TRUE(v.ok());
  PendingParts parts{store->get(), cat.get(), &*layers};
  auto made = MakeWhole(parts, *v, {});
  EXPECT_EQ(made.status().code(), Code::kDataLoss) << made.status().ToString();
  auto latest = cat->Resolve("tools", "latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version.ToString(), "1.0.0");
  EXPECT_EQ(cat->List("tools")->size(), 1u);
  spec.boot_id = CurrentBootId();
  EXPECT_FALSE(FromAnotherBoot(spec));
}

}  // namespace
}  // namespace kiln::images
