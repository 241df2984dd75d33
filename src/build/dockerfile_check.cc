// What kiln build accepts of each instruction (dockerfile.h): flags, forms, argument counts;
// every refusal names the feature at file:line:col.
#include <regex>
#include <set>

#include "build/dockerfile.h"

namespace kiln::build {

Status CheckInstruction(const Instruction& in, bool seen_from);

namespace {

const std::set<std::string> kSupported = {"FROM",  "RUN",    "CMD",  "ENTRYPOINT", "COPY",
                                          "ADD",   "ENV",    "ARG",  "WORKDIR",    "USER",
                                          "LABEL", "EXPOSE", "SHELL"};
const std::set<std::string> kRefused = {"HEALTHCHECK", "VOLUME", "ONBUILD", "STOPSIGNAL",
                                        "MAINTAINER"};

std::set<std::string> AllowedFlags(const std::string& name) {
  if (name == "COPY" || name == "ADD") return {"chown", "chmod"};
  return {};
}

Status CheckFlags(const Instruction& in) {
  std::set<std::string> allowed = AllowedFlags(in.name);
  for (const auto& [flag, value] : in.flags) {
    if (!allowed.count(flag)) {
      return ErrorAt(in.loc, in.name + " --" + flag + " is not supported by kiln build");
    }
    if (value.empty()) return ErrorAt(in.loc, in.name + " --" + flag + " needs a value");
  }
  if (in.flags.count("chmod") &&
      !std::regex_match(in.flags.at("chmod"), std::regex("[0-7]{3,4}"))) {
    return ErrorAt(in.loc, in.name + " --chmod=" + in.flags.at("chmod") +
                               ": only an octal mode (e.g. 0755) is supported");
  }
  return Status::Ok();
}

// `<<EOF`, `<<-EOF`, `<<"EOF"`: a heredoc (BuildKit's Dockerfile 1.4 syntax).
Status CheckNoHeredoc(const Instruction& in) {
  static const std::regex kHeredoc(R"((^|[^<])<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?(\s|$))");
  if (!in.exec_form && std::regex_search(in.rest, kHeredoc)) {
    return ErrorAt(in.rest_loc, in.name + " with a heredoc (<<) is not supported by kiln build");
  }
  return Status::Ok();
}

bool IsRemote(const std::string& src) {
  return src.rfind("http://", 0) == 0 || src.rfind("https://", 0) == 0 ||
         src.rfind("git@", 0) == 0 || src.rfind("git://", 0) == 0;
}

Status CheckCopy(const Instruction& in) {
  size_t n = in.exec_form ? in.exec.size() : in.words.size();
  if (n < 2) return ErrorAt(in.loc, in.name + " needs at least one source and a destination");
  if (in.name != "ADD") return Status::Ok();
  for (size_t i = 0; i + 1 < n; ++i) {
    std::string src = in.exec_form ? in.exec[i] : in.words[i].text;
    Location loc = in.exec_form ? in.rest_loc : in.words[i].loc;
    if (IsRemote(src)) {
      return ErrorAt(loc, "ADD of a URL or git repository (" + src +
                              ") is not supported by kiln build: only local files");
    }
  }
  return Status::Ok();
}

Status CheckArgs(const Instruction& in) {
  const std::string& n = in.name;
  if (in.rest.empty()) return ErrorAt(in.loc, n + " needs arguments");
  if (n == "FROM") {
    bool ok = in.words.size() == 1 ||
              (in.words.size() == 3 && (in.words[1].text == "AS" || in.words[1].text == "as"));
    if (!ok) return ErrorAt(in.rest_loc, "FROM takes an image and optionally AS name");
  } else if (n == "SHELL") {
    if (!in.exec_form || in.exec.empty()) {
      return ErrorAt(in.rest_loc, "SHELL needs a JSON array of strings: [\"/bin/sh\", \"-c\"]");
    }
  } else if (n == "COPY" || n == "ADD") {
    return CheckCopy(in);
  } else if (n == "WORKDIR" || n == "USER") {
    if (in.words.size() != 1) return ErrorAt(in.rest_loc, n + " takes one argument");
  } else if (n == "ARG") {
    for (const auto& w : in.words) {
      if (!std::regex_match(w.text.substr(0, w.text.find('=')),
                            std::regex("[A-Za-z_][A-Za-z0-9_]*"))) {
        return ErrorAt(w.loc, "ARG: invalid name in '" + w.text + "'");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckInstruction(const Instruction& in, bool seen_from) {
  if (kRefused.count(in.name)) return ErrorAt(in.loc, in.name + " is not supported by kiln build");
  if (!kSupported.count(in.name)) return ErrorAt(in.loc, "unknown instruction: " + in.name);
  if (!seen_from && in.name != "FROM" && in.name != "ARG") {
    return ErrorAt(in.loc, in.name + " before FROM (only ARG may come before FROM)");
  }
  if (seen_from && in.name == "FROM") {
    return ErrorAt(in.loc, "a second FROM: multi-stage builds are not supported by kiln build");
  }
  RETURN_IF_ERROR(CheckFlags(in));
  if (in.name == "RUN" || in.name == "COPY" || in.name == "ADD")
    RETURN_IF_ERROR(CheckNoHeredoc(in));
  return CheckArgs(in);
}

}  // namespace kiln::build
