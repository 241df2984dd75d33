#include "runtime/owner.h"

#include <sstream>
#include <unistd.h>

#include "base/fs.h"

namespace kiln::runtime {
namespace {

// Field 22 of /proc/<pid>/stat; "" when the process does not exist.
std::string StartTime(const std::string& pid) {
  auto stat = ReadFile("/proc/" + pid + "/stat");
  if (!stat.ok()) return "";
  size_t paren = stat->rfind(')');
  if (paren == std::string::npos) return "";
  std::istringstream in(stat->substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && in >> field; ++i) {
  }
  return field;
}

}  // namespace

std::string OwnerToken() {
  std::string pid = std::to_string(::getpid());
  return pid + " " + StartTime(pid);
}

bool OwnerAlive(const std::string& token) {
  std::istringstream in(token);
  std::string pid, start;
  if (!(in >> pid >> start)) return false;
  return StartTime(pid) == start;
}

}  // namespace kiln::runtime
