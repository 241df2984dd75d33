#include "oci/types.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kiln::oci {
namespace {

const char kHexA[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

TEST(DigestTest, ParsesAndRejects) {
  auto d = Digest::Parse(std::string("sha256:") + kHexA);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->Short(), "sha256:aaaaaaaaaaaa");
  EXPECT_FALSE(Digest::Parse("sha256:abc").ok());
  EXPECT_FALSE(Digest::Parse(std::string("sha256:") + std::string(64, 'A')).ok());
  EXPECT_FALSE(Digest::Parse(std::string("md5:") + kHexA).ok());
  EXPECT_FALSE(Digest::Parse("sha256:../../etc/passwd").ok());
}

TEST(DigestTest, FromDataIsSha256) {
  EXPECT_EQ(Digest::FromData("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ManifestTest, RoundTrips) {
  Manifest m;
  m.config = {kMediaTypeConfig, *Digest::Parse(std::string("sha256:") + kHexA), 12, {}, {}};
  m.layers.push_back({kMediaTypeLayerGzip, Digest::FromData("x"), 34, {}, {}});
  auto back = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->config.digest, m.config.digest);
  ASSERT_EQ(back->layers.size(), 1u);
  EXPECT_EQ(back->layers[0].size, 34);
  EXPECT_EQ(back->media_type, kMediaTypeManifest);
}

TEST(ManifestTest, RejectsBadDescriptors) {
  EXPECT_FALSE(
      ParseManifest(R"({"schemaVersion":2,"config":{"digest":"sha256:1","size":1},"layers":[]})")
          .ok());
  EXPECT_FALSE(ParseManifest(R"({"schemaVersion":1})").ok());
  EXPECT_FALSE(ParseManifest("not json").ok());
}

// A negative size would lift every bound a pull puts on a blob's body: refused.
TEST(ManifestTest, RejectsNegativeSizes) {
  std::string d = "sha256:" + std::string(64, 'a');
  auto manifest = [&](int64_t config_size, int64_t layer_size) {
    return R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + d + R"(","size":)" +
           std::to_string(config_size) + R"(},"layers":[{"mediaType":"x","digest":")" + d +
           R"(","size":)" + std::to_string(layer_size) + "}]}";
  };
  EXPECT_TRUE(ParseManifest(manifest(0, 0)).ok());
  EXPECT_EQ(ParseManifest(manifest(-1, 0)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseManifest(manifest(0, -1)).status().code(), Code::kInvalidArgument);
}

TEST(ImageConfigTest, KeepsUnknownFieldsAndWritesTyped) {
  std::string text = R"({"architecture":"amd64","os":"linux","custom":{"x":1},
    "config":{"Env":["PATH=/bin"],"Cmd":["sh"],"StopSignal":"SIGTERM"},
    "rootfs":{"type":"layers","diff_ids":["sha256:)" +
                     std::string(kHexA) + R"("]}})";
  auto c = ParseImageConfig(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->env, std::vector<std::string>{"PATH=/bin"});
  c->env.push_back("A=b");
  c->diff_ids.push_back(Digest::FromData("y"));
  auto again = ParseImageConfig(SerializeImageConfig(*c));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->env.size(), 2u);
  EXPECT_EQ(again->diff_ids.size(), 2u);
  auto raw = ParseJson(again->raw);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ((*raw)["custom"]["x"], 1);
  EXPECT_EQ((*raw)["config"]["StopSignal"], "SIGTERM");
}

TEST(ImageConfigTest, VariantIsTypedAndANewConfigHasNoRaw) {
  ImageConfig c;
  c.architecture = "arm64";
  c.os = "linux";
  c.variant = "v8";
  auto again = ParseImageConfig(SerializeImageConfig(c));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->variant, "v8");
  again->variant.clear();
  EXPECT_EQ(SerializeImageConfig(*again).find("variant"), std::string::npos);
}

TEST(ImageConfigTest, RequiresLayersRootfs) {
  EXPECT_FALSE(ParseImageConfig(R"({"architecture":"amd64","os":"linux"})").ok());
}

}  // namespace
}  // namespace kiln::oci

namespace kiln::oci {
namespace {

TEST(ImageConfigTest, HealthcheckIsParsedAndKept) {
  auto c = ParseImageConfig(
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},
          "config":{"Healthcheck":{"Test":["CMD-SHELL","pg_isready"],"Interval":2000000000,
                                   "Retries":5}}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->healthcheck.has_value());
  EXPECT_EQ(c->healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "pg_isready"}));
  EXPECT_EQ(c->healthcheck->interval_ns, 2000000000);
  EXPECT_EQ(c->healthcheck->timeout_ns, 0);
  EXPECT_EQ(c->healthcheck->retries, 5);
  auto again = ParseImageConfig(SerializeImageConfig(*c));
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->healthcheck.has_value());
  EXPECT_EQ(again->healthcheck->test, c->healthcheck->test);
  c->healthcheck.reset();
  c->raw.clear();
  auto none = ParseImageConfig(SerializeImageConfig(*c));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->healthcheck.has_value());
}

}  // namespace
}  // namespace kiln::oci
