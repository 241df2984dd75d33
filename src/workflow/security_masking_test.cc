// Attacks on masking (issue 7): a secret cut in two by the 64 KiB line split, and a flood of
// ::add-mask:: values that made every later line cost one search per value, re-sorted.
#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "workflow/file_commands.h"

namespace kiln::workflow {
namespace {

// Prints pieces as the step runner does, joined back into the line the reader sees.
std::string Through(const MaskSet& masks, const std::vector<std::string>& pieces) {
  MaskCarry carry;
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i)
    out += MaskPiece(masks, carry, pieces[i], i + 1 < pieces.size());
  return out;
}

TEST(SecurityMasking, SecretCutByTheLineSplitIsMasked) {
  MaskSet masks;
  ASSERT_TRUE(masks.Add("hunter2-s3cr3t").ok());
  std::string line = std::string(65530, 'b') + "hunter2-s3cr3t tail";
  std::string out = Through(masks, {line.substr(0, kMaxOutputLine), line.substr(kMaxOutputLine)});
  EXPECT_EQ(out, std::string(65530, 'b') + "*** tail");
}

TEST(SecurityMasking, EveryCutPointMasks) {
  MaskSet masks;
  ASSERT_TRUE(masks.Add("abcdef").ok());
  ASSERT_TRUE(masks.Add("defXY").ok());  // overlaps the first: both hidden, one ***
  std::string line = "0123abcdefXY789";
  for (size_t a = 0; a <= line.size(); ++a) {
    for (size_t b = a; b <= line.size(); ++b) {
      std::string out = Through(masks, {line.substr(0, a), line.substr(a, b - a), line.substr(b)});
      EXPECT_EQ(out, "0123***789") << a << "," << b;
    }
  }
}

TEST(SecurityMasking, WholeLinesAndNoMasks) {
  MaskSet none;
  EXPECT_EQ(Through(none, {"abc", "def"}), "abcdef");
  MaskSet masks;
  ASSERT_TRUE(masks.Add("xx").ok());
  EXPECT_EQ(Through(masks, {"axxxxb"}), "a***b");
  MaskCarry carry;
  EXPECT_EQ(MaskPiece(masks, carry, "ax", true), "a");      // the x is kept back...
  EXPECT_EQ(MaskPiece(masks, carry, "xb", false), "***b");  // ...and masked with the next piece
}

// 20,000 ::add-mask:: lines: refused once past the cap (the step fails) rather than masked at
// one search per value per line for minutes; a value not masked would leak, so not ignored.
TEST(SecurityMasking, AddMaskFloodIsRefused) {
  CommandState st;
  std::string display;
  for (int i = 0; i < 20000; ++i) {
    EXPECT_TRUE(HandleCommandLine("::add-mask::value-" + std::to_string(i), st, &display));
  }
  EXPECT_FALSE(st.mask_error.ok());
  EXPECT_NE(st.mask_error.message().find("too many values to mask"), std::string::npos);
  EXPECT_EQ(st.masks.size(), MaskSet::kMaxValues);
}

TEST(SecurityMasking, NormalCountOfMasksWorks) {
  CommandState st;
  std::string display;
  for (int i = 0; i < 500; ++i)
    HandleCommandLine("::add-mask::value-" + std::to_string(i) + "-x", st, &display);
  EXPECT_TRUE(st.mask_error.ok());
  EXPECT_EQ(Mask("a value-499-x b value-7-x", st.masks), "a *** b ***");
}

TEST(SecurityMasking, TotalBytesAreCapped) {
  MaskSet masks;
  EXPECT_TRUE(masks.Add(std::string(MaskSet::kMaxBytes - 1, 'a')).ok());
  EXPECT_FALSE(masks.Add("bb").ok());
}

}  // namespace
}  // namespace kiln::workflow
