// A registry's error answers as Status, per the distribution spec's error body
// ({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "…", "detail": …}]}). Internal to
// registry/.
#pragma once

#include <string>

#include "base/status.h"
#include "registry/transport.h"

namespace kiln::registry {

// The Code for a spec error code (NAME_UNKNOWN → NotFound, DENIED → PermissionDenied, …), else
// for the HTTP status (404 → NotFound, 401/403 → PermissionDenied, 429/5xx → Unavailable, …).
Code CodeFor(const std::string& error_code, int http_status);

// "WHAT: CODE: message[; CODE: message]" (or "WHAT: HTTP 502" without a spec body), with the
// Code of the first error. The registry's words are escaped for a terminal; the body's
// `detail` is left out (it can be large and says nothing more to people).
Status StatusFromResponse(const Response& response, const std::string& what);

}  // namespace kiln::registry
