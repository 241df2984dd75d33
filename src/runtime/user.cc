// ResolveUser: an image's User field against its own /etc/passwd and /etc/group.
#include <charconv>
#include <sstream>

#include "runtime/spec.h"
#include "snapshot/safe_path.h"

namespace kiln::runtime {
namespace {

bool ParseId(const std::string& s, uint32_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

// Finds `name` (field 0) or the id (field 2) in a passwd/group file; returns the fields.
std::vector<std::string> FindLine(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string part;
    std::istringstream ls(line);
    while (std::getline(ls, part, ':')) f.push_back(part);
    if (f.size() >= 3 && f[0] == name) return f;
  }
  return {};
}

}  // namespace

Result<User> ResolveUser(const std::string& rootfs, const std::string& spec) {
  User u;
  if (spec.empty()) return u;
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  bool user_numeric = ParseId(user, u.uid);
  if (!user_numeric) {
    auto passwd = snapshot::ReadFileInRoot(rootfs, "etc/passwd");
    auto f = passwd.ok() ? FindLine(*passwd, user) : std::vector<std::string>{};
    if (f.size() < 4 || !ParseId(f[2], u.uid) || !ParseId(f[3], u.gid)) {
      return InvalidArgument("image user \"" + user + "\" is not in the image's /etc/passwd");
    }
  } else {
    u.gid = u.uid == 0 ? 0 : u.uid;
  }
  if (!group.empty() && !ParseId(group, u.gid)) {
    auto groups = snapshot::ReadFileInRoot(rootfs, "etc/group");
    auto f = groups.ok() ? FindLine(*groups, group) : std::vector<std::string>{};
    if (f.size() < 3 || !ParseId(f[2], u.gid)) {
      return InvalidArgument("image group \"" + group + "\" is not in the image's /etc/group");
    }
  }
  return u;
}

}  // namespace kiln::runtime
