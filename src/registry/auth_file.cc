#include "registry/auth_file.h"

#include <cstdint>


namespace kiln::registry {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string CanonicalHost(std::string host) {
  if (host == "index.docker.io" || host == "registry-1.docker.io") return "docker.io";
  return host;
}

// The auths entry for `host`: an exact key first, then a key naming the same host.
const Json* FindEntry(const Json& auths, const std::string& host, std::string& key) {
  if (auto it = auths.find(host); it != auths.end()) {
    key = host;
    return &*it;
  }
  std::string want = CanonicalHost(host);
  for (auto it = auths.begin(); it != auths.end(); ++it) {
    if (AuthKeyHost(it.key()) == want) {
      key = it.key();
      return &*it;
    }
  }
  return nullptr;
}

std::string StringField(const Json& entry, const char* name) {
  auto it = entry.find(name);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<std::optional<Credentials>> EntryCredentials(const Json& entry, const std::string& where) {
  if (!entry.is_object()) return InvalidArgument(where + ": not an object");
  for (const char* name : {"auth", "identitytoken", "username", "password"}) {
    if (entry.contains(name) && !entry[name].is_string()) {
      return InvalidArgument(where + ": \"" + name + "\" is not a string");
    }
  }
  if (std::string token = StringField(entry, "identitytoken"); !token.empty()) {
    return std::optional<Credentials>(Credentials{"<token>", token});
  }
  if (std::string auth = StringField(entry, "auth"); !auth.empty()) {
    std::optional<std::string> plain = Base64Decode(auth);
    size_t colon = plain ? plain->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return InvalidArgument(where + ": \"auth\" is not base64 of user:password");
    }
    return std::optional<Credentials>(Credentials{plain->substr(0, colon), plain->substr(colon + 1)});
  }
  std::string user = StringField(entry, "username"), password = StringField(entry, "password");
  if (!user.empty() && !password.empty()) return std::optional<Credentials>(Credentials{user, password});
  return std::optional<Credentials>();
}

}  // namespace

std::string AuthKeyHost(std::string_view key) {
  bool had_scheme = false;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.substr(0, scheme.size()) == scheme) {
      key.remove_prefix(scheme.size());
      had_scheme = true;
    }
  }
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view path = key.substr(slash);
    bool version_path = path == "/" || path == "/v1" || path == "/v1/" || path == "/v2" ||
                        path == "/v2/";
    if (!had_scheme && !version_path) return std::string(key);
    key = key.substr(0, slash);
  }
  return CanonicalHost(std::string(key));
}

Result<AuthLookup> LookupAuth(const Json& config, const std::string& file,
                              const std::string& host) {
  if (!config.is_object()) return InvalidArgument(file + ": not a JSON object");
  AuthLookup result;
  std::string key;
  auto helpers = config.find("credHelpers");
  if (helpers != config.end() && helpers->is_object()) {
    if (const Json* helper = FindEntry(*helpers, host, key); helper && helper->is_string()) {
      result.helper = helper->get<std::string>();
      return result;
    }
  }
  std::string store = StringField(config, "credsStore");
  auto auths = config.find("auths");
  const Json* entry = nullptr;
  if (auths != config.end()) {
    if (!auths->is_object()) return InvalidArgument(file + ": \"auths\" is not an object");
    entry = FindEntry(*auths, host, key);
  }
  if (entry) {
    ASSIGN_OR_RETURN(result.credentials,
                     EntryCredentials(*entry, file + ": auths entry \"" + key + "\""));
  }
  if (!result.credentials) result.helper = store;
  return result;
}

Result<Json> ParseAuthFile(std::string_view text, const std::string& file) {
  Result<Json> parsed = ParseJson(text, file);
  if (!parsed.ok()) return InvalidArgument(file + ": not valid JSON");
  return parsed;
}

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) n |= static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>(bits >> 16);
      out += static_cast<char>(bits >> 8);
      out += static_cast<char>(bits);
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) out += static_cast<char>(bits >> 4);
  if (count == 3) {
    out += static_cast<char>(bits >> 10);
    out += static_cast<char>(bits >> 2);
  }
  return out;
}

}  // namespace kiln::registry
