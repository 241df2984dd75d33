#include "registry/auth.h"

#include <algorithm>
#include <cctype>

#include "base/json.h"
#include "registry/auth_file.h"
#include "registry/errors.h"
#include "registry/url.h"

namespace kiln::registry {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Key(std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  std::string key;
  for (const auto& s : scopes) key += s + " ";
  return key;
}

// One challenge's parameters from `v` (after the scheme), up to the next scheme or the end.
void ParseParams(std::string_view& v, std::map<std::string, std::string>* params) {
  while (true) {
    while (!v.empty() && (v[0] == ' ' || v[0] == ',')) v.remove_prefix(1);
    size_t eq = v.find('=');
    size_t space = v.find(' ');
    if (eq == std::string_view::npos || (space != std::string_view::npos && space < eq)) return;
    std::string key = Lower(std::string(v.substr(0, eq)));
    v.remove_prefix(eq + 1);
    std::string value;
    if (!v.empty() && v[0] == '"') {
      size_t i = 1;
      for (; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value += v[i];
      }
      v.remove_prefix(std::min(v.size(), i + 1));
    } else {
      size_t end = v.find(',');
      value = std::string(v.substr(0, end));
      v.remove_prefix(end == std::string_view::npos ? v.size() : end);
    }
    (*params)[key] = value;
  }
}

}  // namespace

std::vector<Challenge> ParseChallenges(const std::vector<std::string>& header_values) {
  std::vector<Challenge> out;
  for (const std::string& value : header_values) {
    std::string_view v = value;
    while (true) {
      while (!v.empty() && (v[0] == ' ' || v[0] == ',')) v.remove_prefix(1);
      if (v.empty()) break;
      size_t end = v.find(' ');
      Challenge c;
      c.scheme = Lower(std::string(v.substr(0, end)));
      v.remove_prefix(end == std::string_view::npos ? v.size() : end);
      ParseParams(v, &c.params);
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string BasicAuthorization(const Credentials& c) {
  return "Basic " + Base64Encode(c.username + ":" + c.password);
}

Status AuthRequired(const std::string& host, bool had_credentials) {
  return PermissionDenied(
      host + ": authentication required: " +
      (had_credentials ? "wrong username or password, or run kiln login " : "run kiln login ") +
      host);
}

Authorizer::Authorizer(std::string host, CredentialSource* credentials, Transport* transport,
                       Endpoint endpoint)
    : host_(std::move(host)),
      credentials_(credentials),
      transport_(transport),
      endpoint_(std::move(endpoint)) {}

std::string Authorizer::HeaderFor(const std::vector<std::string>& scopes) {
  std::lock_guard lock(mu_);
  if (scheme_ == "basic") return basic_;
  if (scheme_ != "bearer") return "";
  auto it = tokens_.find(Key(scopes));
  if (it == tokens_.end() || it->second.expires <= std::chrono::steady_clock::now()) return "";
  return "Bearer " + it->second.value;
}

Status Authorizer::Answer(const Response& response, const std::vector<std::string>& scopes,
                          const std::string& sent) {
  std::vector<std::string> values;
  auto [begin, end] = response.headers.equal_range("www-authenticate");
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  std::vector<Challenge> challenges = ParseChallenges(values);
  auto find = [&](const char* scheme) {
    return std::find_if(challenges.begin(), challenges.end(),
                        [&](const Challenge& c) { return c.scheme == scheme; });
  };
  auto bearer = find("bearer"), basic = find("basic");
  std::optional<Credentials> creds;
  if (credentials_) {
    ASSIGN_OR_RETURN(creds, credentials_->For(host_));
  }
  if (bearer != challenges.end()) return AnswerBearer(*bearer, scopes, sent, creds);
  std::lock_guard lock(mu_);
  if (basic != challenges.end()) {
    if (!creds) return AuthRequired(host_, false);
    scheme_ = "basic";
    basic_ = BasicAuthorization(*creds);
    if (sent == basic_) return AuthRequired(host_, true);
    return Status::Ok();
  }
  return AuthRequired(host_, creds.has_value());
}

Status Authorizer::AnswerBearer(const Challenge& bearer, const std::vector<std::string>& scopes,
                                const std::string& sent, const std::optional<Credentials>& creds) {
  std::string key = Key(scopes);
  std::unique_lock lock(mu_);
  scheme_ = "bearer";
  while (true) {
    auto cached = tokens_.find(key);
    if (cached != tokens_.end() && "Bearer " + cached->second.value != sent &&
        cached->second.expires > std::chrono::steady_clock::now()) {
      return Status::Ok();  // another thread fetched a fresh one meanwhile
    }
    if (fetching_.count(key) == 0) break;
    fetched_.wait(lock);  // another thread is fetching it: take its token (or try after it)
  }
  tokens_.erase(key);  // refused or expired
  std::vector<std::string> wanted = scopes;
  if (auto s = bearer.params.find("scope"); s != bearer.params.end()) {
    if (std::find(wanted.begin(), wanted.end(), s->second) == wanted.end()) {
      wanted.push_back(s->second);
    }
  }
  fetching_.insert(key);
  lock.unlock();
  Result<Token> token = FetchToken(bearer, wanted, creds);  // other transfers go on meanwhile
  lock.lock();
  fetching_.erase(key);
  if (token.ok()) tokens_[key] = *token;
  fetched_.notify_all();
  return token.status();
}

}  // namespace kiln::registry
