// Hostile bytes through kiln's JSON and terminal helpers (issue 7, item 6).
#include <gtest/gtest.h>

#include "base/escape.h"
#include "base/json.h"

namespace kiln {
namespace {

TEST(SecurityJson, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto j = ParseJson(deep, "manifest");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("manifest: arrays and objects nest deeper than 512"),
            std::string::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJson("{\"a\": \"" + std::string(10000, '[') + "\"}").ok());
  EXPECT_TRUE(ParseJson(std::string(512, '[') + std::string(512, ']')).ok());
}

TEST(SecurityJson, DumpOfInvalidUtf8ReplacesInsteadOfThrowing) {
  Json j = {{"k", std::string("a\xff"
                              "b")}};
  EXPECT_THROW(j.dump(), Json::type_error);  // what kiln used to call
  EXPECT_EQ(DumpJson(j),
            "{\"k\":\"a\xEF\xBF\xBD"
            "b\"}");
  OrderedJson o = {{"k", std::string("\xc3")}};
  EXPECT_EQ(DumpJson(o, 2), "{\n  \"k\": \"\xEF\xBF\xBD\"\n}");
}

TEST(SecurityJson, TerminalEscapesControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(EscapeForTerminal("plain/name.txt"), "plain/name.txt");
  EXPECT_EQ(EscapeForTerminal("caf\xc3\xa9.txt"), "caf\xc3\xa9.txt");
  EXPECT_EQ(EscapeForTerminal("\x1b]0;pwned\x07x"), "\\x1b]0;pwned\\x07x");
  EXPECT_EQ(EscapeForTerminal("a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
  EXPECT_EQ(EscapeForTerminal("\xff\xc3"), "\\xff\\xc3");
  EXPECT_EQ(EscapeForTerminal("\xc2\x9b"
                              "31m"),
            "\\xc2\\x9b31m");                                                // C1 CSI
  EXPECT_EQ(EscapeForTerminal("\x7f\xed\xa0\x80"), "\\x7f\\xed\\xa0\\x80");  // DEL, a surrogate
}

}  // namespace
}  // namespace kiln
