// The text a pending catalogue version keeps (images/pending.h).
#include "images/pending.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kiln::images
