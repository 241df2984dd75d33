#include "build/dockerfile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kiln::build {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Dockerfile Parse(std::string_view text) {
  auto df = ParseDockerfile(text, "Dockerfile");
  EXPECT_TRUE(df.ok()) << df.status().ToString();
  return df.ok() ? *df : Dockerfile{};
}

std::string ErrorOf(std::string_view text) {
  auto df = ParseDockerfile(text, "Dockerfile");
  EXPECT_FALSE(df.ok());
  return df.ok() ? "" : df.status().message();
}

TEST(ParseDockerfile, EveryInstructionWithItsLocation) {
  Dockerfile df = Parse(
      "ARG BASE=busybox\n"
      "from $BASE AS app\n"
      "# a comment\n"
      "\n"
      "ENV A=1 B=\"two words\"\n"
      "ENV C three words\n"
      "ARG V\n"
      "WORKDIR /app\n"
      "COPY --chown=1000:1000 --chmod=0755 a b /dst/\n"
      "ADD [\"x.tar\", \"/opt/\"]\n"
      "RUN make all\n"
      "USER 1000\n"
      "LABEL k=v\n"
      "EXPOSE 80 53/udp\n"
      "SHELL [\"/bin/sh\", \"-ec\"]\n"
      "ENTRYPOINT [\"/app/run\"]\n"
      "CMD echo hi\n");
  std::vector<std::string> names;
  for (const auto& in : df.instructions) names.push_back(in.name);
  EXPECT_THAT(names, ElementsAre("ARG", "FROM", "ENV", "ENV", "ARG", "WORKDIR", "COPY", "ADD",
                                 "RUN", "USER", "LABEL", "EXPOSE", "SHELL", "ENTRYPOINT", "CMD"));
  const Instruction& from = df.instructions[1];
  EXPECT_EQ(ToString(from.loc), "Dockerfile:2:1");
  ASSERT_EQ(from.words.size(), 3u);
  EXPECT_EQ(from.words[0].text, "$BASE");
  EXPECT_EQ(ToString(from.words[2].loc), "Dockerfile:2:15");
  EXPECT_EQ(df.instructions[2].words[1].text, "B=\"two words\"");
  const Instruction& copy = df.instructions[6];
  EXPECT_EQ(copy.flags.at("chown"), "1000:1000");
  EXPECT_EQ(copy.flags.at("chmod"), "0755");
  EXPECT_EQ(copy.words.size(), 3u);
  EXPECT_TRUE(df.instructions[7].exec_form);
  EXPECT_THAT(df.instructions[7].exec, ElementsAre("x.tar", "/opt/"));
  EXPECT_FALSE(df.instructions[8].exec_form);
  EXPECT_EQ(df.instructions[8].rest, "make all");
  EXPECT_TRUE(df.instructions[13].exec_form);
}

TEST(ParseDockerfile, ContinuationsJoinLinesAndSkipComments) {
  Dockerfile df = Parse(
      "FROM scratch\n"
      "RUN echo a \\\n"
      "# inside\n"
      "    b \\\n"
      "\n"
      "  c\n"
      "ENV X=1\n");
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[1].rest, "echo a     b   c");
  EXPECT_EQ(ToString(df.instructions[2].loc), "Dockerfile:7:1");
}

TEST(ParseDockerfile, EscapeDirectiveChangesTheContinuation) {
  Dockerfile df = Parse(
      "# escape=`\n"
      "FROM scratch\n"
      "RUN dir c:\\ `\n"
      "  more\n");
  EXPECT_EQ(df.escape, '`');
  EXPECT_EQ(df.instructions[1].rest, "dir c:\\   more");
}

TEST(ParseDockerfile, ExecFormFallsBackToShellFormWhenNotJson) {
  Dockerfile df = Parse("FROM scratch\nCMD [not json\nRUN [\"a\", 1]\n");
  EXPECT_FALSE(df.instructions[1].exec_form);
  EXPECT_EQ(df.instructions[1].rest, "[not json");
  EXPECT_FALSE(df.instructions[2].exec_form);
}

TEST(ParseDockerfile, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("FROM scratch\n  FOO bar\n"), "Dockerfile:2:3: unknown instruction: FOO");
  EXPECT_EQ(ErrorOf("FROM scratch\nRUN --mount=type=cache,target=/x make\n"),
            "Dockerfile:2:1: RUN --mount is not supported by kiln build");
  EXPECT_EQ(ErrorOf("FROM scratch\nCOPY --from=builder /a /b\n"),
            "Dockerfile:2:1: COPY --from is not supported by kiln build");
  EXPECT_THAT(ErrorOf("FROM scratch\nADD https://example.com/x.tgz /x\n"),
              HasSubstr("Dockerfile:2:5: ADD of a URL or git repository"));
  EXPECT_THAT(ErrorOf("FROM scratch\nRUN cat <<EOF\nhello\nEOF\n"),
              HasSubstr("Dockerfile:2:5: RUN with a heredoc"));
  EXPECT_THAT(ErrorOf("FROM scratch\nCOPY <<EOF /x\n"), HasSubstr("heredoc"));
  EXPECT_EQ(ErrorOf("FROM scratch\nHEALTHCHECK CMD true\n"),
            "Dockerfile:2:1: HEALTHCHECK is not supported by kiln build");
  EXPECT_THAT(ErrorOf("FROM a\nFROM b\n"), HasSubstr("Dockerfile:2:1: a second FROM"));
  EXPECT_THAT(ErrorOf("FROM --platform=linux/arm64 a\n"), HasSubstr("FROM --platform"));
  EXPECT_THAT(ErrorOf("RUN true\nFROM a\n"), HasSubstr("Dockerfile:1:1: RUN before FROM"));
  EXPECT_THAT(ErrorOf("# escape=x\nFROM a\n"), HasSubstr("Dockerfile:1:10: invalid escape"));
  EXPECT_THAT(ErrorOf("FROM a\nSHELL /bin/bash -c\n"), HasSubstr("Dockerfile:2:7: SHELL needs"));
  EXPECT_THAT(ErrorOf("FROM a\nCOPY onlyone\n"), HasSubstr("Dockerfile:2:1: COPY needs"));
  EXPECT_THAT(ErrorOf("FROM a\nCOPY --chmod=u+x a b\n"), HasSubstr("only an octal mode"));
  EXPECT_THAT(ErrorOf("FROM a\nENV A=\"open\n"), HasSubstr("Dockerfile:2:5: unmatched \""));
  EXPECT_THAT(ErrorOf("FROM a\nARG 1x\n"), HasSubstr("Dockerfile:2:5: ARG: invalid name"));
  EXPECT_THAT(ErrorOf("# only a comment\n"), HasSubstr("no FROM"));
  EXPECT_THAT(ErrorOf("FROM a\nRUN \\\n  --network=none true\n"), HasSubstr("RUN --network"));
  // Docker reads leading --words as flags on every instruction, and so does kiln.
  EXPECT_THAT(ErrorOf("FROM a\nCMD --help\n"), HasSubstr("CMD --help is not supported"));
}

TEST(ParseDockerfile, ErrorInAContinuedLineNamesThatLine) {
  EXPECT_THAT(ErrorOf("FROM a\nENV A=1 \\\n    B=\"x\n"), HasSubstr("Dockerfile:3:5: unmatched"));
}

TEST(ParseDockerfile, HeredocLookalikesAreNotHeredocs) {
  Parse("FROM a\nRUN echo $((1<<2)) && cat <<< word\n");
}

std::string Exp(std::string_view word, const Vars& vars = {{"A", "a"}, {"E", ""}}) {
  auto r = Expand(word, vars, '\\', {"Dockerfile", 1, 1});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

TEST(Expand, VariablesAsDockerSubstitutesThem) {
  EXPECT_EQ(Exp("$A/${A}x"), "a/ax");
  EXPECT_EQ(Exp("$UNSET-"), "-");
  EXPECT_EQ(Exp("${UNSET:-def}|${E:-def}|${E-def}|${UNSET-def}"), "def|def||def");
  EXPECT_EQ(Exp("${A:+alt}|${E:+alt}|${E+alt}|${UNSET+alt}"), "alt||alt|");
  EXPECT_EQ(Exp("${UNSET:-${A}b}"), "ab");
  EXPECT_EQ(Exp("${A:?must}"), "a");
  EXPECT_EQ(Exp("$ 1 $1"), "$ 1 $1");
}

TEST(Expand, QuotesAndEscapes) {
  EXPECT_EQ(Exp("'$A'"), "$A");
  EXPECT_EQ(Exp("\"$A b\""), "a b");
  EXPECT_EQ(Exp("\\$A"), "$A");
  EXPECT_EQ(Exp("\"\\$A \\\" \\n\""), "$A \" \\n");
  EXPECT_EQ(Exp("a\\ b"), "a b");
}

TEST(Expand, ErrorsNameTheWord) {
  Vars vars;
  auto bad = [&](std::string_view w) {
    auto r = Expand(w, vars, '\\', {"Dockerfile", 4, 6});
    EXPECT_FALSE(r.ok()) << w;
    return r.ok() ? "" : r.status().message();
  };
  EXPECT_THAT(bad("${A%.tar}"), HasSubstr("Dockerfile:4:6: unsupported substitution ${A%...}"));
  EXPECT_THAT(bad("${A"), HasSubstr("missing '}'"));
  EXPECT_THAT(bad("${A:?needs a value}"), HasSubstr("A: needs a value"));
  EXPECT_THAT(bad("${}"), HasSubstr("bad substitution"));
  EXPECT_THAT(bad("'open"), HasSubstr("unmatched '"));
}

}  // namespace
}  // namespace kiln::build
