// Where `kiln run` takes secrets from: -s/--secret NAME (the value of $NAME), -s NAME=VALUE
// (accepted, but the value is then in kiln's argv, visible to every local user in the process
// list), and --secret-file FILE (NAME=VALUE lines, as act's .secrets file).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/status.h"

namespace kiln::cli {

// Parses a secrets file. Blank lines and lines starting with # (after spaces) are ignored; an
// optional `export ` prefix is dropped; NAME is [A-Za-z_][A-Za-z0-9_]*; VALUE runs to the end
// of the line, and a value quoted '…' is taken as is, "…" with \n, \r, \t, \" and \\ escapes
// (so a multi-line secret fits one line). A later NAME wins. InvalidArgument naming
// "FILE:LINE" for any other line. `dashes`: NAME may also hold '-' after its first character
// (the names of workflow inputs: --input-file).
Result<std::map<std::string, std::string>> ParseSecretFile(const std::string& text,
                                                           const std::string& file,
                                                           bool dashes = false);

// One -s/--secret argument into `out`: "NAME" takes the value of the environment variable
// NAME (`getenv`; unset is InvalidArgument), "NAME=VALUE" takes VALUE and sets *in_argv.
Status AddSecretFlag(const std::string& spec, const std::function<const char*(const char*)>& getenv,
                     std::map<std::string, std::string>& out, bool* in_argv);

}  // namespace kiln::cli
