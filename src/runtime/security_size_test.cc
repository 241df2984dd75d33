// Sizes are validated as GitHub and Depot validate runner sizes: only the table's, written
// exactly; anything else is a clear error listing them (issue 7, item 8).
#include <gtest/gtest.h>

#include "runtime/size.h"

namespace kiln::runtime {
namespace {

TEST(SecuritySizes, OnlyTheTableIsAccepted) {
  for (const char* ok : {"1x1", "2x8", "4x16", "8x32", "16x64", "32x128", "64x256"}) {
    auto s = ParseSize(ok);
    ASSERT_TRUE(s.ok()) << ok;
    EXPECT_EQ(s->name, ok);
  }
  auto s = ParseSize("2x8");
  EXPECT_EQ(s->cpus, 2);
  EXPECT_EQ(s->memory_bytes, int64_t{8} << 30);
  EXPECT_EQ(s->disk_bytes, int64_t{50} << 30);
  EXPECT_EQ(ParseSize("64x256")->disk_bytes, int64_t{1600} << 30);
}

TEST(SecuritySizes, AnythingElseIsInvalidAndNamesTheSizes) {
  for (const char* bad :
       {"3x9", "02x8", "", "0x0", "-2x8", "2x-8", "2x08", " 2x8", "2x8 ", "2X8", "2x8x1",
        "99999999999999999999x8", "4096x4096", "2x", "x8", "+2x8", "2x8\n", "1x4"}) {
    auto s = ParseSize(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
    EXPECT_NE(
        s.status().message().find("the sizes are 1x1, 2x8, 4x16, 8x32, 16x64, 32x128, 64x256"),
        std::string::npos)
        << s.status().message();
  }
  std::string huge(100000, '9');
  EXPECT_LT(ParseSize(huge).status().message().size(), 300u);  // the message stays short
}

TEST(SecuritySizes, LargerSizeAndByteFigures) {
  EXPECT_EQ(LargerSize(*ParseSize("2x8"), *ParseSize("4x16")).name, "4x16");
  EXPECT_EQ(LargerSize(*ParseSize("8x32"), *ParseSize("2x8")).name, "8x32");
  EXPECT_EQ(*ParseBytes("50G"), int64_t{50} << 30);
  EXPECT_EQ(*ParseBytes("200M"), int64_t{200} << 20);
  EXPECT_EQ(*ParseBytes("4096"), 4096);
  for (const char* bad : {"", "0", "-1G", "1.5G", "1g", "G", "1GB", "99999999999T"})
    EXPECT_FALSE(ParseBytes(bad).ok()) << bad;
  EXPECT_EQ(FormatBinaryBytes(int64_t{1} << 30), "1 GB");
  EXPECT_EQ(FormatBinaryBytes(int64_t{200} << 20), "200 MB");
}

}  // namespace
}  // namespace kiln::runtime
