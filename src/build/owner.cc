// COPY --chown=USER[:GROUP]: names looked up in the image's /etc/passwd and /etc/group (steps.h).
#include <cctype>

#include "base/fs.h"
#include "build/steps.h"

namespace kiln::build {
namespace {

bool Numeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return s.size() <= 9;
}

// The fields of the line of `file` (in the image) whose first field is `name`.
Result<std::vector<std::string>> Entry(const std::vector<std::string>& lower_dirs,
                                       const std::string& file, const std::string& name) {
  std::string text;
  std::string resolved = ResolveInImage(lower_dirs, file);
  for (auto it = lower_dirs.rbegin(); it != lower_dirs.rend(); ++it) {
    auto read = ReadFile(JoinPath(*it, resolved));
    if (read.ok()) {
      text = std::move(*read);
      break;
    }
  }
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? text.size() : nl + 1;
    std::vector<std::string> fields;
    size_t f = 0;
    while (f <= line.size()) {
      size_t colon = line.find(':', f);
      if (colon == std::string::npos) colon = line.size();
      fields.push_back(line.substr(f, colon - f));
      f = colon + 1;
    }
    if (fields.size() >= 3 && fields[0] == name && Numeric(fields[2])) return fields;
  }
  return NotFound("no " + name + " in the image's " + file);
}

}  // namespace

Result<std::pair<int, int>> ResolveOwner(const std::vector<std::string>& lower_dirs,
                                         const std::string& spec) {
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (user.empty() || (colon != std::string::npos && group.empty()))
    return InvalidArgument("--chown=" + spec + ": want USER[:GROUP]");
  int uid = 0, gid = 0;
  if (Numeric(user)) {
    uid = gid = std::stoi(user);
  } else {
    ASSIGN_OR_RETURN(auto pw, Entry(lower_dirs, "/etc/passwd", user));
    if (pw.size() < 4 || !Numeric(pw[3]))
      return NotFound("no group of " + user + " in /etc/passwd");
    uid = std::stoi(pw[2]);
    gid = std::stoi(pw[3]);
  }
  if (Numeric(group)) {
    gid = std::stoi(group);
  } else if (!group.empty()) {
    ASSIGN_OR_RETURN(auto gr, Entry(lower_dirs, "/etc/group", group));
    gid = std::stoi(gr[2]);
  }
  return std::make_pair(uid, gid);
}

}  // namespace kiln::build
