// Secrets from flags and files, and what persist-env leaves out.
#include "cli/secrets.h"

#include <gtest/gtest.h>

namespace kiln::cli {
namespace {

TEST(SecretFileTest, ParsesActsFormat) {
  auto s = ParseSecretFile(
      "# comment\n\n  API_TOKEN=abc=def\r\nexport DB_PASS='p a#ss'\n"
      "KEY=\"line1\\nline2\"\n  # indented comment\nEMPTY=\n",
      ".secrets");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->at("API_TOKEN"), "abc=def");
  EXPECT_EQ(s->at("DB_PASS"), "p a#ss");
  EXPECT_EQ(s->at("KEY"), "line1\nline2");
  EXPECT_EQ(s->at("EMPTY"), "");
  EXPECT_EQ(s->size(), 4u);
}

TEST(SecretFileTest, MalformedLineNamesFileAndLine) {
  auto s = ParseSecretFile("A=1\n\nnot a pair\n", "/x/.secrets");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message().rfind("/x/.secrets:3: ", 0), 0u) << s.status().message();
  EXPECT_FALSE(ParseSecretFile("1A=x\n", "f").ok());
  auto q = ParseSecretFile("A=\"open\n", "f");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("f:1: unterminated quote"), std::string::npos);
}

TEST(SecretFlagTest, NameReadsTheEnvironment) {
  std::map<std::string, std::string> out;
  bool in_argv = false;
  auto env = [](const char* n) -> const char* {
    return std::string(n) == "TOK" ? "v@lue" : nullptr;
  };
  ASSERT_TRUE(AddSecretFlag("TOK", env, out, &in_argv).ok());
  EXPECT_EQ(out["TOK"], "v@lue");
  EXPECT_FALSE(in_argv);
  Status unset = AddSecretFlag("NOPE", env, out, &in_argv);
  EXPECT_EQ(unset.code(), Code::kInvalidArgument);
  EXPECT_NE(unset.message().find("$NOPE is not set"), std::string::npos);
  ASSERT_TRUE(AddSecretFlag("X=a=b", env, out, &in_argv).ok());
  EXPECT_EQ(out["X"], "a=b");
  EXPECT_TRUE(in_argv);
}

}  // namespace
}  // namespace kiln::cli
