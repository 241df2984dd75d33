// The typed field reads of json_fields.h.
#include "hooks/json_fields.h"

namespace kiln::hooks {

// The member `key` of `j` when present and not null.
const Json* Field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

Status String(const Json& j, const char* key, bool required, std::string* out) {
  const Json* f = Field(j, key);
  if (!f) return required ? InvalidArgument(std::string("missing field ") + key) : Status::Ok();
  if (!f->is_string()) return InvalidArgument(std::string(key) + " is not a string");
  *out = f->get<std::string>();
  return Status::Ok();
}

Status Strings(const Json& j, const char* key, std::vector<std::string>* out) {
  const Json* f = Field(j, key);
  if (!f) return Status::Ok();
  if (f->is_string()) {  // prependPath of runners before 2.293.0 was one "a:b" string
    out->push_back(f->get<std::string>());
    return Status::Ok();
  }
  if (!f->is_array()) return InvalidArgument(std::string(key) + " is not a list");
  for (const auto& e : *f) {
    if (!e.is_string())
      return InvalidArgument(std::string(key) + " holds a value that is no string");
    out->push_back(e.get<std::string>());
  }
  return Status::Ok();
}

Status Env(const Json& j, std::map<std::string, std::string>* out) {
  const Json* f = Field(j, "environmentVariables");
  if (!f) return Status::Ok();
  if (!f->is_object()) return InvalidArgument("environmentVariables is not an object");
  for (const auto& [k, v] : f->items()) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return InvalidArgument("environmentVariables has a bad name");
    }
    if (v.is_null()) continue;
    if (!v.is_string()) return InvalidArgument("environmentVariables." + k + " is not a string");
    (*out)[k] = v.get<std::string>();
  }
  return Status::Ok();
}

Status Mounts(const Json& j, const char* key, std::vector<Mount>* out) {
  const Json* f = Field(j, key);
  if (!f) return Status::Ok();
  if (!f->is_array()) return InvalidArgument(std::string(key) + " is not a list");
  for (const auto& m : *f) {
    if (!m.is_object())
      return InvalidArgument(std::string(key) + " holds a value that is no object");
    Mount mount;
    RETURN_IF_ERROR_CTX(String(m, "sourceVolumePath", true, &mount.source), key);
    RETURN_IF_ERROR_CTX(String(m, "targetVolumePath", true, &mount.target), key);
    if (const Json* ro = Field(m, "readOnly")) {
      if (!ro->is_boolean())
        return InvalidArgument(std::string(key) + ": readOnly is not a boolean");
      mount.read_only = ro->get<bool>();
    }
    out->push_back(std::move(mount));
  }
  return Status::Ok();
}

Status ReadRegistry(const Json& j, std::optional<Registry>* out) {
  const Json* f = Field(j, "registry");
  if (!f) return Status::Ok();
  if (!f->is_object()) return InvalidArgument("registry is not an object");
  Registry r;
  RETURN_IF_ERROR_CTX(String(*f, "username", false, &r.username), "registry");
  RETURN_IF_ERROR_CTX(String(*f, "password", false, &r.password), "registry");
  RETURN_IF_ERROR_CTX(String(*f, "serverUrl", false, &r.server_url), "registry");
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace kiln::hooks
