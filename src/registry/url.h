// URL pieces the distribution client needs. Internal to registry/.
#pragma once

#include <string>
#include <string_view>

namespace kiln::registry {

// `s` percent-encoded for a query value (unreserved characters kept).
std::string UrlEncode(std::string_view s);
// "scheme://authority" of an absolute URL ("" when `url` is not absolute).
std::string UrlOrigin(std::string_view url);
// `location` (absolute, "/path", or relative to `base`'s path) made absolute against `base`.
std::string ResolveUrl(const std::string& base, const std::string& location);
// `url` with "name=value" appended to its query (value encoded).
std::string WithQuery(const std::string& url, std::string_view name, std::string_view value);
// The target of the rel="next" link in a Link header value, or "".
std::string LinkNext(std::string_view link);

}  // namespace kiln::registry
