// Dockerfile lines → instructions (see dockerfile.h); per-instruction checks in
// dockerfile_check.cc.
#include "build/dockerfile.h"

#include <cctype>
#include <regex>

#include "base/json.h"

namespace kiln::build {

Status CheckInstruction(const Instruction& in, bool seen_from);  // dockerfile_check.cc

std::string ToString(const Location& loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

Status ErrorAt(const Location& loc, const std::string& message) {
  return InvalidArgument(ToString(loc) + ": " + message);
}

namespace {

bool Blank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

bool IsComment(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  return i != std::string::npos && line[i] == '#';
}
bool IsBlankLine(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

// The directives at the top of the file; returns the index of the first line after them.
Result<size_t> ParseDirectives(const std::vector<std::string>& lines, const std::string& file,
                               char& escape) {
  static const std::regex kDirective(R"(^#\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$)");
  bool seen_escape = false;
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(lines[i], m, kDirective)) break;
    std::string name = m[1];
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "escape") {
      Location loc{file, static_cast<int>(i + 1), static_cast<int>(m.position(2) + 1)};
      if (seen_escape) return ErrorAt(loc, "only one escape directive is allowed");
      if (m[2] != "\\" && m[2] != "`") {
        return ErrorAt(loc,
                       "invalid escape character '" + std::string(m[2]) + "': must be \\ or `");
      }
      escape = std::string(m[2])[0];
      seen_escape = true;
    } else if (name != "syntax" && name != "check") {
      break;  // an unknown directive is a comment, and ends the directives (as docker reads it)
    }
  }
  return i;
}

// One logical line: its text and where each of its bytes came from.
struct Logical {
  std::string text;
  std::vector<Location> where;
};

bool EndsInEscape(const std::string& line, char escape) {
  size_t end = line.find_last_not_of(" \t");
  return end != std::string::npos && line[end] == escape;
}

// Joins lines[i..] while they end in the escape character; advances i past them.
Logical JoinContinued(const std::vector<std::string>& lines, size_t& i, const std::string& file,
                      char escape) {
  Logical out;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    int line_no = static_cast<int>(++i);
    bool more = EndsInEscape(line, escape);
    size_t end = more ? line.find_last_not_of(" \t") : line.size();
    for (size_t c = 0; c < end; ++c) {
      out.text += line[c];
      out.where.push_back({file, line_no, static_cast<int>(c + 1)});
    }
    if (!more) break;
    while (i < lines.size() && (IsComment(lines[i]) || IsBlankLine(lines[i]))) ++i;
  }
  out.where.push_back(out.where.empty() ? Location{file, static_cast<int>(i), 1}
                                        : out.where.back());  // the end, for errors there
  return out;
}

// Splits at blanks outside quotes; escapes keep the next character in the word.
Result<std::vector<Word>> SplitWords(const Logical& l, size_t from, char escape) {
  std::vector<Word> words;
  size_t i = from;
  while (i < l.text.size()) {
    while (i < l.text.size() && Blank(l.text[i])) ++i;
    if (i >= l.text.size()) break;
    Word w{"", l.where[i]};
    char quote = 0;
    for (; i < l.text.size(); ++i) {
      char c = l.text[i];
      if (!quote && Blank(c)) break;
      w.text += c;
      if (c == escape && quote != '\'' && i + 1 < l.text.size()) {
        w.text += l.text[++i];
      } else if (quote && c == quote) {
        quote = 0;
      } else if (!quote && (c == '"' || c == '\'')) {
        quote = c;
      }
    }
    if (quote) return ErrorAt(w.loc, std::string("unmatched ") + quote + " in this word");
    words.push_back(std::move(w));
  }
  return words;
}

// `[ "a", "b" ]` as a list of strings, or false.
bool ParseExecForm(const std::string& rest, std::vector<std::string>& out) {
  if (rest.empty() || rest[0] != '[') return false;
  auto j = ParseJson(rest, "exec form");
  if (!j.ok() || !j->is_array()) return false;
  out.clear();
  for (const auto& e : *j) {
    if (!e.is_string()) return false;
    out.push_back(e.get<std::string>());
  }
  return true;
}

Result<Instruction> ParseInstruction(const Logical& l, char escape) {
  Instruction in;
  size_t i = l.text.find_first_not_of(" \t");
  in.loc = l.where[i];
  size_t name_end = i;
  while (name_end < l.text.size() && !Blank(l.text[name_end])) ++name_end;
  for (size_t c = i; c < name_end; ++c)
    in.name += static_cast<char>(std::toupper(static_cast<unsigned char>(l.text[c])));
  in.text = l.text.substr(i);
  while (!in.text.empty() && Blank(in.text.back())) in.text.pop_back();
  size_t p = name_end;
  // Flags: leading `--name[=value]` words.
  while (true) {
    while (p < l.text.size() && Blank(l.text[p])) ++p;
    if (l.text.compare(p, 2, "--") != 0) break;
    size_t end = p;
    while (end < l.text.size() && !Blank(l.text[end])) ++end;
    std::string flag = l.text.substr(p + 2, end - p - 2);
    size_t eq = flag.find('=');
    std::string key = flag.substr(0, eq);
    if (key.empty()) return ErrorAt(l.where[p], "empty flag name");
    if (in.flags.count(key)) return ErrorAt(l.where[p], "--" + key + " given twice");
    in.flags[key] = eq == std::string::npos ? "" : flag.substr(eq + 1);
    p = end;
  }
  in.rest_loc = l.where[std::min(p, l.text.size())];
  in.rest = p < l.text.size() ? l.text.substr(p) : "";
  while (!in.rest.empty() && Blank(in.rest.back())) in.rest.pop_back();
  static const std::vector<std::string> kExecForms = {"RUN",   "CMD",  "ENTRYPOINT",
                                                      "SHELL", "COPY", "ADD"};
  for (const auto& n : kExecForms) {
    if (in.name == n) in.exec_form = ParseExecForm(in.rest, in.exec);
  }
  ASSIGN_OR_RETURN(in.words, SplitWords(l, p, escape));
  return in;
}

}  // namespace

Result<Dockerfile> ParseDockerfile(std::string_view text, const std::string& file) {
  Dockerfile df;
  std::vector<std::string> lines = SplitLines(text);
  ASSIGN_OR_RETURN(size_t i, ParseDirectives(lines, file, df.escape));
  bool seen_from = false;
  while (i < lines.size()) {
    if (IsComment(lines[i]) || IsBlankLine(lines[i])) {
      ++i;
      continue;
    }
    Logical l = JoinContinued(lines, i, file, df.escape);
    if (IsBlankLine(l.text)) continue;
    ASSIGN_OR_RETURN(Instruction in, ParseInstruction(l, df.escape));
    RETURN_IF_ERROR(CheckInstruction(in, seen_from));
    seen_from |= in.name == "FROM";
    df.instructions.push_back(std::move(in));
  }
  if (!seen_from) return ErrorAt({file, 1, 1}, "no FROM instruction");
  return df;
}

}  // namespace kiln::build
