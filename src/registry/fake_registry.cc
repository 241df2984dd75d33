// FakeRegistry: parsing a request, the faults, auth (basic, bearer with its own realm). The
// distribution endpoints are in fake_registry_api.cc, the switches and accessors in
// fake_registry_access.cc.
#include "registry/fake_registry.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/json.h"
#include "registry/auth.h"
#include "registry/fake_registry_internal.h"

namespace kiln::registry {
namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(s[i + 1]) && isxdigit(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// name=value&… (decoded) into `out`.
void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    size_t eq = pair.find('=');
    out->emplace(PercentDecode(pair.substr(0, eq)),
                 eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1)));
  }
}

}  // namespace

bool RecordedRequest::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() &&
           strncasecmp(h.first.data(), name.data(), name.size()) == 0;
  });
}

std::string FakeRegistry::Call::Header(std::string_view name) const {
  for (const auto& [k, v] : request.headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return "";
}

std::string FakeRegistry::Call::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

uint64_t LeadingNumber(std::string_view s, uint64_t fallback) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() ? n : fallback;
}

Response ErrorResponse(int status, const std::string& code, const std::string& message) {
  Response r;
  r.status = status;
  r.headers.emplace("content-type", "application/json");
  Json body = {{"errors", Json::array({{{"code", code}, {"message", message}}})}};
  r.body = DumpJson(body);
  return r;
}

FakeRegistry::FakeRegistry(FakeRegistryOptions options) : options_(std::move(options)) {}
FakeRegistry::~FakeRegistry() = default;

Result<Response> FakeRegistry::Do(const Request& request) {
  std::lock_guard lock(mu_);
  requests_.push_back({request.method, request.url, request.headers});
  if (fail_next_ > 0) {
    --fail_next_;
    if (fail_status_ == 0) return Unavailable("fake registry: connection reset by peer");
    Response r =
        ErrorResponse(fail_status_, fail_status_ == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE",
                      "fake registry: try again later");
    if (fail_status_ == 429) r.headers.emplace("retry-after", "5");
    return r;
  }
  Call call{request, request.method, "", "", {}, {}, false, false, false};
  std::string_view url = request.url;
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return InvalidArgument("fake registry: bad url");
  url.remove_prefix(scheme + 3);
  size_t slash = url.find('/');
  call.host = std::string(url.substr(0, slash));
  std::string_view rest = slash == std::string_view::npos ? "/" : url.substr(slash);
  size_t q = rest.find('?');
  call.path = PercentDecode(rest.substr(0, q));
  if (q != std::string_view::npos) ParseQuery(rest.substr(q + 1), &call.query);
  bool storage = options_.redirect_blobs && call.host == "storage." + options_.host;
  if (call.host != options_.host && !storage) {
    return Unavailable("fake registry: could not resolve host: " + call.host);
  }
  ASSIGN_OR_RETURN(Response response, Serve(call));
  if (call.sent) return response;
  std::string body = std::move(response.body);
  return SendBody(call, std::move(response), std::move(body));
}

std::optional<Response> FakeRegistry::CheckAuth(Call& call, const std::string& repo, bool write) {
  using Auth = FakeRegistryOptions::Auth;
  if (options_.auth == Auth::kNone) return std::nullopt;
  std::string given = call.Header("Authorization");
  if (options_.auth == Auth::kBasic) {
    if (given == BasicAuthorization(options_.credentials)) return std::nullopt;
    Response r = ErrorResponse(401, "UNAUTHORIZED", "authentication required");
    r.headers.emplace("www-authenticate", "Basic realm=\"fake registry\"");
    return r;
  }
  std::string action = call.method == "DELETE" ? "delete" : write ? "pull,push" : "pull";
  auto token = tokens_.find(given.rfind("Bearer ", 0) == 0 ? given.substr(7) : "");
  if (token != tokens_.end()) {
    call.granted = token->second;
    std::vector<std::string> needed = {"delete"};
    if (action != "delete")
      needed = write ? std::vector<std::string>{"pull", "push"} : std::vector<std::string>{"pull"};
    bool ok = std::all_of(needed.begin(), needed.end(), [&](const std::string& a) {
      return repo.empty() || token->second.count(repo + ":" + a) > 0;
    });
    if (ok) return std::nullopt;
  }
  Response r = ErrorResponse(401, "UNAUTHORIZED", "authentication required");
  std::string challenge =
      "Bearer realm=\"https://" + options_.host + "/token\",service=\"" + options_.host + "\"";
  if (!repo.empty()) challenge += ",scope=\"repository:" + repo + ":" + action + "\"";
  if (token != tokens_.end()) challenge += ",error=\"insufficient_scope\"";
  r.headers.emplace("www-authenticate", challenge);
  return r;
}

Result<Response> FakeRegistry::ServeToken(Call& call) {
  std::vector<std::string> scopes;
  auto [begin, end] = call.query.equal_range("scope");
  for (auto it = begin; it != end; ++it) scopes.push_back(it->second);
  const Credentials& want = options_.credentials;
  if (call.method == "POST") {  // OAuth2 refresh-token grant: username "<token>"
    std::multimap<std::string, std::string> form;
    ParseQuery(call.request.body, &form);
    auto field = [&](const char* k) { return form.count(k) ? form.find(k)->second : ""; };
    if (field("grant_type") != "refresh_token" || want.username != "<token>" ||
        field("refresh_token") != want.password) {
      return ErrorResponse(401, "UNAUTHORIZED", "invalid refresh token");
    }
    scopes.clear();
    std::string joined = field("scope");
    for (size_t p = 0; p < joined.size();) {
      size_t space = std::min(joined.find(' ', p), joined.size());
      scopes.push_back(joined.substr(p, space - p));
      p = space + 1;
    }
  } else if (!want.username.empty() && call.Header("Authorization") != BasicAuthorization(want)) {
    return ErrorResponse(401, "UNAUTHORIZED", "wrong username or password");
  }
  std::set<std::string> granted;
  for (const std::string& s : scopes) {
    // repository:NAME:a,b (NAME may not hold ':' without a port; fine for the fake)
    size_t last = s.rfind(':');
    if (s.rfind("repository:", 0) != 0 || last < 11) continue;
    std::string repo = s.substr(11, last - 11);
    std::string actions = s.substr(last + 1);
    for (size_t p = 0; p <= actions.size();) {
      size_t comma = std::min(actions.find(',', p), actions.size());
      std::string action = actions.substr(p, comma - p);
      if (action == "pull" || !options_.pull_only.count(repo)) granted.insert(repo + ":" + action);
      p = comma + 1;
    }
  }
  std::string token = "fake-token-" + std::to_string(++next_id_);
  tokens_[token] = granted;
  Response r;
  r.status = 200;
  r.headers.emplace("content-type", "application/json");
  // OAuth2 answers say access_token; the GET flow's "token" (the client takes either).
  r.body = DumpJson(Json{{call.method == "POST" ? "access_token" : "token", token},
                         {"expires_in", options_.token_expires_in}});
  return r;
}

}  // namespace kiln::registry
