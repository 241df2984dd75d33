#include "workflow/file_commands.h"

#include <algorithm>
#include <sstream>

namespace kiln::workflow {

Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueFile(
    const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t heredoc = line.find("<<"), eq = line.find('=');
    if (heredoc != std::string::npos && (eq == std::string::npos || heredoc < eq)) {
      std::string key = line.substr(0, heredoc), delim = line.substr(heredoc + 2), value, l;
      // As GitHub's runner: a heredoc needs a name and a delimiter (an empty one would end
      // the value at the first empty line).
      if (key.empty())
        return InvalidArgument("line " + std::to_string(n) +
                               ": expected NAME<<DELIMITER, the name is missing");
      if (delim.empty())
        return InvalidArgument("line " + std::to_string(n) + ": " + key +
                               "<<: the delimiter is missing");
      bool closed = false, first = true;
      while (std::getline(in, l)) {
        ++n;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l == delim) {
          closed = true;
          break;
        }
        value += (first ? "" : "\n") + l;
        first = false;
      }
      if (!closed)
        return InvalidArgument("line " + std::to_string(n) + ": no closing " + delim + " for " +
                               key);
      out.emplace_back(key, value);
      continue;
    }
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("line " + std::to_string(n) +
                             ": expected NAME=VALUE or NAME<<DELIMITER");
    }
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> ParsePathFile(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

Status MaskSet::AddOne(const std::string& m) {
  if (m.empty() || set_.count(m)) return Status::Ok();
  if (set_.size() >= kMaxValues || bytes_ + m.size() > kMaxBytes) {
    return InvalidArgument("too many values to mask (more than " + std::to_string(kMaxValues) +
                           " or " + std::to_string(kMaxBytes >> 20) +
                           " MiB in a job): refused, as a value not masked would leak");
  }
  set_.insert(m);
  bytes_ += m.size();
  auto at = std::upper_bound(
      longest_first_.begin(), longest_first_.end(), m,
      [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  longest_first_.insert(at, m);
  return Status::Ok();
}

Status MaskSet::Add(const std::string& value) {
  if (value.empty()) return Status::Ok();
  RETURN_IF_ERROR(AddOne(value));
  size_t start = 0;
  while (start <= value.size()) {
    size_t nl = value.find('\n', start);
    std::string line =
        value.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    RETURN_IF_ERROR(AddOne(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return Status::Ok();
}

std::string Mask(std::string line, const MaskSet& masks) {
  for (const std::string& m : masks.longest_first()) {
    if (m.size() > line.size()) continue;
    size_t pos = 0;
    while ((pos = line.find(m, pos)) != std::string::npos) {
      line.replace(pos, m.size(), "***");
      pos += 3;
    }
  }
  return line;
}

std::string MaskPiece(const MaskSet& masks, MaskCarry& carry, const std::string& piece,
                      bool unfinished) {
  std::string text = carry.held + piece;
  // depth[i]: how many occurrences start at i minus how many end there (a difference array).
  std::vector<int> depth(text.size() + 1, 0);
  if (carry.covered > 0) ++depth[0], --depth[carry.covered];
  for (const std::string& m : masks.longest_first()) {
    if (m.size() > text.size()) continue;
    for (size_t pos = text.find(m); pos != std::string::npos; pos = text.find(m, pos + 1)) {
      ++depth[pos];
      --depth[pos + m.size()];
    }
  }
  size_t keep = unfinished && masks.longest() > 1 ? std::min(text.size(), masks.longest() - 1) : 0;
  size_t emit = text.size() - keep;
  std::string out;
  int inside = 0;
  bool in_run = carry.covered > 0;  // its "***" was printed with the last piece
  size_t i = 0;
  for (; i < emit; ++i) {
    inside += depth[i];
    if (inside > 0 && !in_run) out += "***";
    if (inside == 0) out += text[i];
    in_run = inside > 0;
  }
  carry = MaskCarry{};
  if (keep == 0) return out;
  size_t covered = 0;
  if (in_run) {  // a mask printed as *** goes on into the kept bytes
    for (; i < text.size() && (inside += depth[i]) > 0; ++i) ++covered;
  }
  carry.held = text.substr(emit);
  carry.covered = covered;
  return out;
}

}  // namespace kiln::workflow
