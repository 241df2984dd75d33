// The parsers of GITHUB_ENV / GITHUB_OUTPUT (NAME=VALUE and NAME<<DELIMITER heredocs) and
// GITHUB_PATH, as GitHub's runner reads them: what a step writes there sets the job's env,
// outputs and PATH, so a misread line is a value the step did not mean to set.
#include "workflow/file_commands.h"

#include <gtest/gtest.h>

namespace kiln::workflow {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Parse(const std::string& text) {
  auto r = ParseKeyValueFile(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << text;
  return r.ok() ? *r : Pairs{};
}

TEST(KeyValueFile, NameEqualsValue) {
  EXPECT_EQ(Parse("A=1\nB=two words\n"), (Pairs{{"A", "1"}, {"B", "two words"}}));
  EXPECT_EQ(Parse("A=\n"), (Pairs{{"A", ""}}));                     // an empty value
  EXPECT_EQ(Parse("A=x=y==\n"), (Pairs{{"A", "x=y=="}}));           // the first = splits
  EXPECT_EQ(Parse("A= spaced \n"), (Pairs{{"A", " spaced "}}));     // kept as written
  EXPECT_EQ(Parse("A=1"), (Pairs{{"A", "1"}}));                     // no final newline
  EXPECT_EQ(Parse("A=1\nA=2\n"), (Pairs{{"A", "1"}, {"A", "2"}}));  // both, in order: the last wins
  EXPECT_EQ(Parse("\n\nA=1\n\n"), (Pairs{{"A", "1"}}));             // blank lines skipped
  EXPECT_EQ(Parse("A=a<<b\n"), (Pairs{{"A", "a<<b"}}));             // << after = is value
  EXPECT_EQ(Parse(""), Pairs{});
}

TEST(KeyValueFile, CrlfLineEnds) {
  EXPECT_EQ(Parse("A=1\r\nB=2\r\n"), (Pairs{{"A", "1"}, {"B", "2"}}));
  EXPECT_EQ(Parse("M<<EOF\r\none\r\ntwo\r\nEOF\r\nC=3\r\n"),
            (Pairs{{"M", "one\ntwo"}, {"C", "3"}}));
}

TEST(KeyValueFile, Heredocs) {
  EXPECT_EQ(Parse("M<<EOF\nline 1\nline 2\nEOF\n"), (Pairs{{"M", "line 1\nline 2"}}));
  EXPECT_EQ(Parse("M<<EOF\nEOF\n"), (Pairs{{"M", ""}}));    // empty value
  EXPECT_EQ(Parse("M<<EOF\n\nEOF\n"), (Pairs{{"M", ""}}));  // one empty line
  EXPECT_EQ(Parse("M<<EOF\na=b\nX<<Y\nEOF\n"),
            (Pairs{{"M", "a=b\nX<<Y"}}));  // nothing parsed inside
  EXPECT_EQ(Parse("M<<ghadelim_1\nEOF\nghadelim_1\n"), (Pairs{{"M", "EOF"}}));  // any delimiter
  EXPECT_EQ(Parse("M<<EOF\n EOF\nEOF \nEOF\n"),
            (Pairs{{"M", " EOF\nEOF "}}));  // only an exact line ends it
  EXPECT_EQ(Parse("A=1\nM<<EOF\nx\nEOF\nB=2\n"), (Pairs{{"A", "1"}, {"M", "x"}, {"B", "2"}}));
  EXPECT_EQ(Parse("M<<EOF\nx\nEOF"), (Pairs{{"M", "x"}}));  // closing line without newline
}

TEST(KeyValueFile, MalformedLinesAreErrors) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c :
       {Case{"JUSTANAME\n", "line 1: expected NAME=VALUE or NAME<<DELIMITER"},
        Case{"A=1\n=value\n", "line 2: expected NAME=VALUE or NAME<<DELIMITER"},
        Case{"M<<EOF\nno end\n", "line 2: no closing EOF for M"},
        Case{"M<<EOF\r\nx\r\neof\r\n", "line 3: no closing EOF for M"},
        // Before: accepted, as a variable named "" and as a value ended by the
        // first empty line.
        Case{"<<EOF\nx\nEOF\n", "line 1: expected NAME<<DELIMITER, the name is missing"},
        Case{"A=1\nM<<\nx\n\nB=2\n", "line 2: M<<: the delimiter is missing"}}) {
    auto r = ParseKeyValueFile(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message) << c.text;
  }
}

TEST(PathFile, OneEntryPerNonEmptyLine) {
  EXPECT_EQ(ParsePathFile("/opt/a/bin\n/opt/b bin\n"),
            (std::vector<std::string>{"/opt/a/bin", "/opt/b bin"}));
  EXPECT_EQ(ParsePathFile("/x\r\n\r\n\n/y"), (std::vector<std::string>{"/x", "/y"}));
  EXPECT_EQ(ParsePathFile(""), std::vector<std::string>{});
  EXPECT_EQ(ParsePathFile("relative/dir\n"),
            std::vector<std::string>{"relative/dir"});  // as GitHub: kept
}

}  // namespace
}  // namespace kiln::workflow
