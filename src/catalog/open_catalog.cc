// OpenCatalog: one way to open a catalogue, by url, whatever stores it.
#include <cctype>
#include <string_view>

#include "catalog/catalog.h"
#include "catalog/sqlite_catalog.h"

namespace kiln::catalog {
namespace {

const char kForms[] =
    "sqlite:///ABSOLUTE/PATH (add ?mode=ro to open read-only), a plain file path, or memory:";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<std::unique_ptr<Catalog>> OpenSqliteUrl(const std::string& url) {
  std::string rest = url.substr(std::string_view("sqlite://").size());
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  if (rest.empty() || rest[0] != '/') {
    return InvalidArgument("catalogue url " + url +
                           ": a sqlite url names an absolute path, as in " +
                           "sqlite:///var/lib/kiln/kiln.db (three slashes)");
  }
  if (!query.empty() && query != "mode=ro" && query != "mode=rw") {
    return InvalidArgument("catalogue url " + url + ": unknown option \"" + query +
                           "\" (the one option is mode=ro or mode=rw)");
  }
  return OpenSqliteCatalog(rest, query == "mode=ro");
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& url) {
  if (url.empty()) return InvalidArgument("empty catalogue url; use " + std::string(kForms));
  if (url == "memory:") return NewMemoryCatalog();
  if (StartsWith(url, "sqlite://")) return OpenSqliteUrl(url);
  // A scheme is a letter, then letters, digits, '+', '-' or '.', then ':'. Anything else is a
  // plain path ("./a:b.db" for a relative one with a colon).
  size_t n = 0;
  while (n < url.size() && (std::isalnum(static_cast<unsigned char>(url[n])) || url[n] == '+' ||
                            url[n] == '-' || url[n] == '.')) {
    ++n;
  }
  bool has_scheme =
      n > 0 && n < url.size() && url[n] == ':' && std::isalpha(static_cast<unsigned char>(url[0]));
  if (!has_scheme) return OpenSqliteCatalog(url, false);
  // The rest may hold a password: name the scheme only.
  std::string scheme = url.substr(0, n);
  if (scheme == "postgres" || scheme == "postgresql") {
    return FailedPrecondition("catalogue url " + scheme +
                              "://…: a PostgreSQL catalogue is not supported yet; use " + kForms);
  }
  return InvalidArgument("catalogue url with unknown scheme \"" + scheme + ":\"; use " + kForms);
}

}  // namespace kiln::catalog
