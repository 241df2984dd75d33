#include "cli/flags.h"

#include <gtest/gtest.h>

namespace kiln::cli {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"--job", "-j", true}, {"--json", "", false}, {"--platform", "-P", true}};

TEST(FlagsTest, ValuesBooleansRepeatsAndPositionals) {
  auto f = Flags::Parse({"wf.yml", "-P", "a=b", "--platform=c=d", "--json", "-j", "build"}, kSpecs);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->positional(), std::vector<std::string>{"wf.yml"});
  EXPECT_EQ(f->GetAll("--platform"), (std::vector<std::string>{"a=b", "c=d"}));
  EXPECT_TRUE(f->Has("--json"));
  EXPECT_EQ(f->Get("--job"), "build");
  EXPECT_EQ(f->Get("--missing", "x"), "x");
}

TEST(FlagsTest, DoubleDashEndsOptions) {
  auto f = Flags::Parse({"id", "--", "ls", "--json"}, kSpecs);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->positional(), (std::vector<std::string>{"id", "ls", "--json"}));
  EXPECT_FALSE(f->Has("--json"));
}

TEST(FlagsTest, Errors) {
  EXPECT_FALSE(Flags::Parse({"--nope"}, kSpecs).ok());
  EXPECT_FALSE(Flags::Parse({"--job"}, kSpecs).ok());
  EXPECT_FALSE(Flags::Parse({"--json=1"}, kSpecs).ok());
}

}  // namespace
}  // namespace kiln::cli
