#include "runtime/owner.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "base/fs.h"

namespace kiln::runtime {

std::string ProcessToken(int pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.ok() ? stat->rfind(')') : std::string::npos;
  if (paren == std::string::npos) return "";
  std::istringstream in(stat->substr(paren + 2));
  std::string state, start;  // fields 3 and 22
  in >> state;
  for (int i = 4; i <= 22 && in >> start; ++i) {
  }
  if (state == "Z" || state == "X" || start.empty()) return "";
  return std::to_string(pid) + " " + start;
}

std::string OwnerToken() { return ProcessToken(::getpid()); }

bool OwnerAlive(const std::string& token) {
  int pid = std::atoi(token.c_str());
  return pid > 0 && ProcessToken(pid) == token;
}

std::string TokenForName(const std::string& token) {
  std::string out = token;
  for (char& c : out) c = c == ' ' ? '.' : c;
  return out;
}

std::string TokenFromName(const std::string& name) {
  std::string out = name;
  for (char& c : out) c = c == '.' ? ' ' : c;
  return out;
}

}  // namespace kiln::runtime
