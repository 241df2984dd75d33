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

// Workflow commands (workflow_commands.cc), as GitHub's runner handles them.
struct Handled {
  bool hidden;
  std::string display;
};
Handled Handle(CommandState& st, const std::string& line) {
  std::string display;
  bool hidden = HandleCommandLine(line, st, &display);
  return {hidden, display};
}

TEST(WorkflowCommands, AnnotationsAreUnescapedRecordedAndShown) {
  CommandState st;
  Handled h = Handle(st,
                     "::error file=src/a%2Cb.c,line=3,col=7,endLine=4,title=Bad%3A "
                     "thing::Missing%0Asemicolon 100%25");
  EXPECT_FALSE(h.hidden);
  EXPECT_EQ(h.display, "❗ error src/a,b.c:3:7: Bad: thing: Missing\nsemicolon 100%");
  ASSERT_EQ(st.annotations.size(), 1u);
  const Annotation& a = st.annotations[0];
  EXPECT_EQ(a.level, "error");
  EXPECT_EQ(a.file, "src/a,b.c");
  EXPECT_EQ(a.line, 3);
  EXPECT_EQ(a.column, 7);
  EXPECT_EQ(a.title, "Bad: thing");
  EXPECT_EQ(a.message, "Missing\nsemicolon 100%");
  EXPECT_TRUE(st.command_error.ok());  // an ::error:: does not fail the step
  EXPECT_EQ(Handle(st, "  ::warning::careful").display, "⚠️  warning: careful");
  EXPECT_EQ(Handle(st, "::WARNING::loud").display, "⚠️  warning: loud");  // case-insensitive
  EXPECT_EQ(Handle(st, "::notice line=x::n").display, "📌 notice: n");
  EXPECT_EQ(st.annotations.size(), 4u);
  // "%250A" is "%0A" as text: %25 is undone last, as GitHub does.
  EXPECT_EQ(Handle(st, "::notice::a%250Ab").display, "📌 notice: a%0Ab");
}

TEST(WorkflowCommands, MalformedAndUnknownCommandsAreText) {
  CommandState st;
  for (const char* line :
       {"::error file=a.c,line=1 no closing", "x ::error::not first", "::nosuch::thing", "::::"}) {
    Handled h = Handle(st, line);
    EXPECT_FALSE(h.hidden) << line;
    EXPECT_EQ(h.display, "") << line;
  }
  EXPECT_TRUE(st.annotations.empty());
}

TEST(WorkflowCommands, GroupsIndentTheirLines) {
  CommandState st;
  EXPECT_EQ(Handle(st, "::group::Build it").display, "▶ Build it");
  EXPECT_EQ(Handle(st, "inside").display, "  inside");
  EXPECT_TRUE(Handle(st, "::endgroup::").hidden);
  EXPECT_EQ(Handle(st, "after").display, "");
}

TEST(WorkflowCommands, DebugOnlyWhenAsked) {
  CommandState st;
  EXPECT_TRUE(Handle(st, "::debug::details").hidden);
  st.show_debug = true;
  EXPECT_EQ(Handle(st, "::debug::details").display, "🐛 debug: details");
}

TEST(WorkflowCommands, SetOutputAndSaveStateWorkWithADeprecationWarning) {
  CommandState st;
  Handled h = Handle(st, "::set-output name=v::a%0Ab");
  EXPECT_FALSE(h.hidden);
  EXPECT_NE(h.display.find("The `set-output` command is deprecated and will be disabled soon."),
            std::string::npos)
      << h.display;
  EXPECT_EQ(st.outputs["v"], "a\nb");
  EXPECT_TRUE(Handle(st, "::set-output name=w::2").hidden);  // warned once
  EXPECT_EQ(st.outputs["w"], "2");
  EXPECT_NE(Handle(st, "::save-state name=pid::42").display.find("`save-state` command is"),
            std::string::npos);
  EXPECT_EQ(st.state["pid"], "42");
  ASSERT_EQ(st.annotations.size(), 2u);
  EXPECT_EQ(st.annotations[0].level, "warning");
  EXPECT_TRUE(st.command_error.ok());
  h = Handle(st, "::set-output::no name");
  EXPECT_NE(h.display.find("Unable to process command '::set-output::no name' successfully.\n"
                           "❌ Required field 'name' is missing in ##[set-output] command."),
            std::string::npos)
      << h.display;
  EXPECT_FALSE(st.command_error.ok());
}

TEST(WorkflowCommands, SetEnvAndAddPathAreDisabledUnlessAllowed) {
  CommandState st;
  Handled h = Handle(st, "::set-env name=A::b");
  EXPECT_FALSE(h.hidden);
  EXPECT_NE(h.display.find("❌ Unable to process command '::set-env name=A::b' successfully.\n"
                           "❌ The `set-env` command is disabled. Please upgrade to using "
                           "Environment Files or opt into unsecure command execution by setting "
                           "the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`."),
            std::string::npos)
      << h.display;
  EXPECT_FALSE(st.command_error.ok());
  EXPECT_TRUE(st.env.empty());
  CommandState allowed;
  allowed.allow_unsecure = true;
  EXPECT_TRUE(Handle(allowed, "::set-env name=A::b").hidden);
  EXPECT_TRUE(Handle(allowed, "::add-path::/opt/x").hidden);
  EXPECT_EQ(allowed.env["A"], "b");
  EXPECT_EQ(allowed.paths, std::vector<std::string>{"/opt/x"});
  EXPECT_TRUE(allowed.command_error.ok());
}

TEST(WorkflowCommands, StopCommandsUntilTheToken) {
  CommandState st;
  EXPECT_TRUE(Handle(st, "::stop-commands::tok-123").hidden);
  EXPECT_FALSE(Handle(st, "::add-mask::visible").hidden);
  EXPECT_FALSE(Handle(st, "::error::as text").hidden);
  EXPECT_TRUE(st.annotations.empty());
  EXPECT_EQ(st.masks.size(), 0u);
  EXPECT_TRUE(Handle(st, "::TOK-123::").hidden);
  EXPECT_FALSE(Handle(st, "::error::now a command").display.empty());
  EXPECT_EQ(st.annotations.size(), 1u);
  for (const char* bad :
       {"::stop-commands::", "::stop-commands::pause-logging", "::stop-commands::error"}) {
    CommandState s2;
    Handled h = Handle(s2, bad);
    EXPECT_NE(h.display.find("You cannot use a endToken that is an empty string"),
              std::string::npos)
        << bad;
    EXPECT_FALSE(s2.command_error.ok()) << bad;
    EXPECT_TRUE(s2.stop_token.empty()) << bad;
  }
}

}  // namespace
}  // namespace kiln::workflow
