// Parsing a Dockerfile: the subset kiln build runs (build.h), with every error at file:line:col.
//
// Lines: a leading `# escape=` directive (`\` or a backtick; `# syntax=` and `# check=` are
// accepted and have no effect), comments (a line whose first non-blank is `#`, also inside a
// continued instruction), blank lines, and continuations (a line ending in the escape character
// goes on on the next). Instructions are case-insensitive.
//
// Supported: FROM (`image [AS name]`, one stage), RUN, CMD, ENTRYPOINT (exec form, a JSON array
// of strings, or shell form), COPY and ADD (`--chown=USER[:GROUP]`, `--chmod=OCTAL`; JSON or
// word form), ENV (`K=V ...` and `K V`), ARG (`NAME[=default] ...`, before FROM too), WORKDIR,
// USER, LABEL, EXPOSE, SHELL (exec form only).
// Refused, naming what: an unknown instruction; HEALTHCHECK, VOLUME, ONBUILD, STOPSIGNAL,
// MAINTAINER; a second FROM (multi-stage); any flag but those above (`RUN --mount`,
// `COPY --from`, `FROM --platform`, `--link`, …); heredocs (`<<EOF`); ADD of a URL or git
// repository; an instruction but ARG before FROM.
//
// Variables are substituted at build time (Expand), as docker does, in FROM, ENV, ARG, LABEL,
// WORKDIR, USER, EXPOSE, COPY and ADD; RUN, CMD and ENTRYPOINT are left to the shell.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiln::build {

struct Location {
  std::string file;
  int line = 0;  // 1-based
  int col = 0;   // 1-based, in bytes
};
// "Dockerfile:3:5"
std::string ToString(const Location& loc);
// InvalidArgument "FILE:LINE:COL: message".
Status ErrorAt(const Location& loc, const std::string& message);

// A word of an instruction as written (quotes and escapes still in it).
struct Word {
  std::string text;
  Location loc;
};

struct Instruction {
  std::string name;  // upper case: "RUN"
  Location loc;      // of the name
  std::string text;  // the instruction as written, continuations joined: "RUN make all"
  std::map<std::string, std::string> flags;  // "chown" → "1000:1000"
  bool exec_form = false;
  std::vector<std::string> exec;  // the JSON array (exec form)
  std::string rest;               // the arguments after the flags, as written (shell form)
  Location rest_loc;
  std::vector<Word> words;  // `rest` split at blanks outside quotes
};

struct Dockerfile {
  char escape = '\\';
  std::vector<Instruction> instructions;
};

Result<Dockerfile> ParseDockerfile(std::string_view text, const std::string& file);

// Substitution as docker's shell lexer does it: `$NAME`, `${NAME}`, `${NAME:-word}`,
// `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`, `${NAME:?msg}`, `${NAME?msg}` (an unset name
// is empty); single quotes are literal, double quotes group and allow `$`; the escape character
// makes the next character literal. Quotes and escapes are removed. Errors at `loc`.
using Vars = std::map<std::string, std::string>;
Result<std::string> Expand(std::string_view word, const Vars& vars, char escape,
                           const Location& loc);

}  // namespace kiln::build
