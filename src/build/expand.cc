// Variable substitution and quote removal in a Dockerfile word (dockerfile.h: Expand), as
// docker's shell lexer does it.
#include <cctype>

#include "build/dockerfile.h"

namespace kiln::build {
namespace {

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Expander {
 public:
  Expander(std::string_view s, const Vars& vars, char escape, const Location& loc)
      : s_(s), vars_(vars), escape_(escape), loc_(loc) {}

  // Reads up to `stop` (0: the end) or the end; quotes and escapes are removed.
  Result<std::string> Process(char stop) {
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (stop && c == stop) return out;
      if (c == '\'') {
        ASSIGN_OR_RETURN(std::string q, SingleQuoted());
        out += q;
      } else if (c == '"') {
        ASSIGN_OR_RETURN(std::string q, DoubleQuoted());
        out += q;
      } else if (c == escape_) {
        ++i_;
        if (i_ < s_.size()) out += s_[i_++];
      } else if (c == '$') {
        ASSIGN_OR_RETURN(std::string v, Dollar());
        out += v;
      } else {
        out += c;
        ++i_;
      }
    }
    if (stop) return Error(std::string("missing '") + stop + "'");
    return out;
  }

 private:
  Status Error(const std::string& what) const {
    return ErrorAt(loc_, what + " in '" + std::string(s_) + "'");
  }

  Result<std::string> SingleQuoted() {
    size_t end = s_.find('\'', i_ + 1);
    if (end == std::string_view::npos) return Error("unmatched '");
    std::string out(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return out;
  }

  Result<std::string> DoubleQuoted() {
    std::string out;
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_];
      if (c == escape_ && i_ + 1 < s_.size()) {
        char n = s_[i_ + 1];
        if (n == '"' || n == '$' || n == escape_) {
          out += n;
        } else {
          out += c;
          out += n;
        }
        i_ += 2;
      } else if (c == '$') {
        ASSIGN_OR_RETURN(std::string v, Dollar());
        out += v;
      } else {
        out += c;
        ++i_;
      }
    }
    if (i_ >= s_.size()) return Error("unmatched \"");
    ++i_;
    return out;
  }

  const std::string* Lookup(const std::string& name) const {
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
  }

  // At '$'.
  Result<std::string> Dollar() {
    ++i_;
    if (i_ < s_.size() && s_[i_] == '{') return Braced();
    size_t start = i_;
    if (i_ >= s_.size() || !NameStart(s_[i_])) return std::string("$");
    while (i_ < s_.size() && NameChar(s_[i_])) ++i_;
    const std::string* v = Lookup(std::string(s_.substr(start, i_ - start)));
    return v ? *v : "";
  }

  // At '{' of "${NAME...}".
  Result<std::string> Braced() {
    ++i_;
    size_t start = i_;
    while (i_ < s_.size() && NameChar(s_[i_])) ++i_;
    std::string name(s_.substr(start, i_ - start));
    if (name.empty() || !NameStart(name[0])) return Error("bad substitution");
    if (i_ >= s_.size()) return Error("missing '}'");
    const std::string* v = Lookup(name);
    if (s_[i_] == '}') {
      ++i_;
      return v ? *v : "";
    }
    bool colon = s_[i_] == ':';
    if (colon) ++i_;
    char op = i_ < s_.size() ? s_[i_] : 0;
    if (op != '-' && op != '+' && op != '?') {
      return Error(std::string("unsupported substitution ${") + name + (colon ? ":" : "") +
                   (op ? std::string(1, op) : "") + "...}");
    }
    ++i_;
    ASSIGN_OR_RETURN(std::string word, Process('}'));
    ++i_;  // the '}'
    bool set = v && (!colon || !v->empty());
    if (op == '-') return set ? *v : word;
    if (op == '+') return set ? word : "";
    if (!set) return Error(name + ": " + (word.empty() ? "is not set" : word));
    return *v;
  }

  std::string_view s_;
  const Vars& vars_;
  char escape_;
  Location loc_;
  size_t i_ = 0;
};

}  // namespace

Result<std::string> Expand(std::string_view word, const Vars& vars, char escape,
                           const Location& loc) {
  return Expander(word, vars, escape, loc).Process(0);
}

}  // namespace kiln::build
