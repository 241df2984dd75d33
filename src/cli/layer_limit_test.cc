#include "cli/layer_limit.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "snapshot/layer_apply.h"
#include "testing/test_env.h"

namespace kiln::cli {
namespace {

TEST(LayerLimit, ParsesSizes) {
  EXPECT_EQ(ParseByteSize("64G").value(), int64_t{64} << 30);
  EXPECT_EQ(ParseByteSize("500M").value(), int64_t{500} << 20);
  EXPECT_EQ(ParseByteSize("2GiB").value(), int64_t{2} << 30);
  EXPECT_EQ(ParseByteSize("1KB").value(), 1024);
  EXPECT_EQ(ParseByteSize("12345").value(), 12345);
  for (const char* bad : {"", "G", "0", "-1G", "1X", "1.5G", "99999999999999999999T"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

TEST(LayerLimit, ReadsTheConfigKey) {
  testing::ScratchDir dir;
  std::string path = dir.Sub("config.toml");
  EXPECT_EQ(LoadMaxLayerUnpacked("").value(), snapshot::kDefaultMaxLayerUnpacked);
  ASSERT_TRUE(WriteFileAtomic(path, "default_image = \"debian\"\n").ok());
  EXPECT_EQ(LoadMaxLayerUnpacked(path).value(), snapshot::kDefaultMaxLayerUnpacked);
  ASSERT_TRUE(WriteFileAtomic(path, "max_layer_unpacked = \"1G\"\n").ok());
  EXPECT_EQ(LoadMaxLayerUnpacked(path).value(), int64_t{1} << 30);
  ASSERT_TRUE(WriteFileAtomic(path, "max_layer_unpacked = 4096\n").ok());
  EXPECT_EQ(LoadMaxLayerUnpacked(path).value(), 4096);
  ASSERT_TRUE(WriteFileAtomic(path, "max_layer_unpacked = \"lots\"\n").ok());
  auto bad = LoadMaxLayerUnpacked(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("max_layer_unpacked"), std::string::npos) << bad.status().ToString();
  EXPECT_EQ(ConfigFilePath("/x.toml"), "/x.toml");
}

}  // namespace
}  // namespace kiln::cli
