// Masking of secrets and ::add-mask:: values (file_commands.h), and EnvIndex.
#include <gtest/gtest.h>

#include "workflow/file_commands.h"
#include "workflow/job_context.h"

namespace kiln::workflow {
namespace {

TEST(MaskingTest, EachLineOfAMultiLineValueIsAMask) {
  MaskSet masks;
  ASSERT_TRUE(masks.Add("-----BEGIN KEY-----\r\nabc123\n\nxyz789\n").ok());
  EXPECT_EQ(Mask("key: abc123", masks), "key: ***");
  EXPECT_EQ(Mask("xyz789 -----BEGIN KEY-----", masks), "*** ***");
  EXPECT_FALSE(masks.contains(""));  // empty lines are no mask
}

TEST(MaskingTest, LongerMaskFirst) {
  MaskSet masks;
  ASSERT_TRUE(masks.Add("abc").ok());
  ASSERT_TRUE(masks.Add("abcdef").ok());
  EXPECT_EQ(Mask("x abcdef y abc", masks), "x *** y ***");
}

TEST(MaskingTest, AddMaskCommandMasksEveryLine) {
  CommandState st;
  std::string display;
  EXPECT_TRUE(HandleCommandLine("::add-mask::s3cr3t", st, &display));
  EXPECT_TRUE(HandleCommandLine("::add-mask::", st, &display));
  EXPECT_EQ(st.masks.size(), 1u);
  EXPECT_EQ(Mask("[wf/job › Run echo s3cr3t] s3cr3t", st.masks), "[wf/job › Run echo ***] ***");
}

TEST(EnvIndexTest, KeepsFirstPositionAndLastValue) {
  EnvMap env = {{"A", "1"}, {"B", "2"}};
  EnvIndex index(env);
  index.Set("C", "3");
  index.Set("A", "9");
  EnvMap want = {{"A", "9"}, {"B", "2"}, {"C", "3"}};
  EXPECT_EQ(env, want);
}

}  // namespace
}  // namespace kiln::workflow
