#include "registry/errors.h"

#include <map>

#include "base/escape.h"
#include "base/json.h"

namespace kiln::registry {

Code CodeFor(const std::string& error_code, int http_status) {
  static const std::map<std::string, Code> kCodes = {
      {"BLOB_UNKNOWN", Code::kNotFound},
      {"BLOB_UPLOAD_UNKNOWN", Code::kNotFound},
      {"MANIFEST_UNKNOWN", Code::kNotFound},
      {"NAME_UNKNOWN", Code::kNotFound},
      {"DENIED", Code::kPermissionDenied},
      {"UNAUTHORIZED", Code::kPermissionDenied},
      {"DIGEST_INVALID", Code::kDataLoss},
      {"SIZE_INVALID", Code::kDataLoss},
      {"BLOB_UPLOAD_INVALID", Code::kFailedPrecondition},
      {"MANIFEST_BLOB_UNKNOWN", Code::kFailedPrecondition},
      {"MANIFEST_INVALID", Code::kInvalidArgument},
      {"MANIFEST_UNVERIFIED", Code::kInvalidArgument},
      {"NAME_INVALID", Code::kInvalidArgument},
      {"TAG_INVALID", Code::kInvalidArgument},
      {"UNSUPPORTED", Code::kFailedPrecondition},
      {"TOOMANYREQUESTS", Code::kUnavailable},
      {"UNAVAILABLE", Code::kUnavailable},
  };
  if (auto it = kCodes.find(error_code); it != kCodes.end()) return it->second;
  if (http_status == 404) return Code::kNotFound;
  if (http_status == 401 || http_status == 403) return Code::kPermissionDenied;
  if (http_status == 429 || http_status >= 500) return Code::kUnavailable;
  if (http_status == 400 || http_status == 413 || http_status == 414) {
    return Code::kInvalidArgument;
  }
  if (http_status == 405 || http_status == 409 || http_status == 412 || http_status == 416) {
    return Code::kFailedPrecondition;
  }
  return Code::kInternal;
}

Status StatusFromResponse(const Response& response, const std::string& what) {
  std::string first_code, text;
  auto doc = ParseJson(response.body, "error body");
  if (doc.ok() && doc->is_object() && doc->contains("errors") && (*doc)["errors"].is_array()) {
    for (const Json& e : (*doc)["errors"]) {
      if (!e.is_object()) continue;
      auto text_of = [&](const char* key) {
        return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : "";
      };
      std::string code = text_of("code"), message = text_of("message");
      if (first_code.empty()) first_code = code;
      if (!text.empty()) text += "; ";
      text += EscapeForTerminal(message.empty() ? code
                                : code.empty()  ? message
                                                : code + ": " + message);
      if (text.size() > 1000) break;
    }
  }
  if (text.empty()) text = "HTTP " + std::to_string(response.status);
  return Status(CodeFor(first_code, response.status), what + ": " + text);
}

}  // namespace kiln::registry
