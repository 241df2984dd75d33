#include "registry/url.h"

#include <cctype>

namespace kiln::registry {

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string UrlOrigin(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  size_t path = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, path));
}

std::string ResolveUrl(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  if (!location.empty() && location[0] == '/') return UrlOrigin(base) + location;
  std::string dir = base.substr(0, base.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return dir + location;
}

std::string WithQuery(const std::string& url, std::string_view name, std::string_view value) {
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + std::string(name) + "=" + UrlEncode(value);
}

std::string LinkNext(std::string_view link) {
  // <url>; rel="next"[, <url>; rel="prev"]
  while (!link.empty()) {
    size_t open = link.find('<'), close = link.find('>');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) break;
    std::string_view target = link.substr(open + 1, close - open - 1);
    size_t end = link.find(',', close);
    std::string_view params =
        link.substr(close + 1, end == std::string_view::npos ? end : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos ||
        params.find("rel=next") != std::string_view::npos) {
      return std::string(target);
    }
    if (end == std::string_view::npos) break;
    link.remove_prefix(end + 1);
  }
  return "";
}

}  // namespace kiln::registry
