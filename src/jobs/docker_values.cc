// The value readers of docker_options.h: shell words, byte figures, Go durations, sizes.
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include "jobs/docker_options.h"
#include "runtime/size.h"

namespace kiln::jobs {

Result<std::vector<std::string>> SplitShellWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return InvalidArgument("options end in a backslash");
      char next = text[++i];
      // In double quotes a backslash escapes only ", \, $ and `; elsewhere it stays.
      if (quote == '"' && next != '"' && next != '\\' && next != '$' && next != '`') word += c;
      word += next;
      in_word = true;
      continue;
    }
    if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return InvalidArgument(std::string("options have an unclosed ") + quote);
  if (in_word) words.push_back(std::move(word));
  return words;
}

namespace {

// A decimal number at the start of `text` (digits, at most one '.'); its length in *used.
bool ReadNumber(std::string_view text, double* value, size_t* used) {
  size_t i = 0;
  bool dot = false, digit = false;
  while (i < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
    if (text[i] == '.')
      dot = true;
    else
      digit = true;
    ++i;
  }
  if (!digit || i > 24) return false;
  *value = std::stod(std::string(text.substr(0, i)));
  *used = i;
  return true;
}

}  // namespace

Result<int64_t> ParseDockerBytes(std::string_view text) {
  double n = 0;
  size_t used = 0;
  auto bad = [&] { return InvalidArgument("bad byte figure '" + std::string(text) + "'"); };
  if (!ReadNumber(text, &n, &used)) return bad();
  std::string_view unit = text.substr(used);
  double scale = 1;
  if (unit.size() > 1) return bad();
  if (!unit.empty()) {
    switch (std::tolower(static_cast<unsigned char>(unit[0]))) {
      case 'b':
        scale = 1;
        break;
      case 'k':
        scale = 1024.0;
        break;
      case 'm':
        scale = 1024.0 * 1024;
        break;
      case 'g':
        scale = 1024.0 * 1024 * 1024;
        break;
      case 't':
        scale = 1024.0 * 1024 * 1024 * 1024;
        break;
      default:
        return bad();
    }
  }
  double bytes = n * scale;
  if (bytes < 1 || bytes > 4.0e18) return bad();
  return static_cast<int64_t>(bytes);
}

Result<double> ParseDockerDuration(std::string_view text) {
  auto bad = [&] { return InvalidArgument("bad duration '" + std::string(text) + "'"); };
  if (text.empty()) return bad();
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    double n = 0;
    size_t used = 0;
    if (!ReadNumber(rest, &n, &used)) return bad();
    rest.remove_prefix(used);
    size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    std::string_view unit = rest.substr(0, unit_len);
    rest.remove_prefix(unit_len);
    if (unit == "h")
      total += n * 3600;
    else if (unit == "m")
      total += n * 60;
    else if (unit == "s")
      total += n;
    else if (unit == "ms")
      total += n / 1000;
    else if (unit == "us" || unit == "µs")
      total += n / 1e6;
    else if (unit == "ns")
      total += n / 1e9;
    else
      return bad();
  }
  return total;
}

Result<std::string> SizeForLimits(double cpus, int64_t memory_bytes) {
  if (cpus < 0 || memory_bytes < 0) return InvalidArgument("negative CPU or memory limit");
  if (cpus == 0 && memory_bytes == 0) return std::string();
  const double need_cpus = std::ceil(cpus);
  for (const runtime::Size& size : runtime::AllSizes()) {
    if (size.cpus >= need_cpus && size.memory_bytes >= memory_bytes) return size.name;
  }
  return InvalidArgument("no kiln size has " + std::to_string(cpus) + " CPUs and " +
                         runtime::FormatBinaryBytes(memory_bytes) +
                         " of memory (sizes: " + runtime::ValidSizes() + ")");
}

}  // namespace kiln::jobs
