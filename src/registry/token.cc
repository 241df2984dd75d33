// The bearer-token request of the registry auth flow (auth.h): GET the realm the registry
// named, with service and scopes, as basic auth with the host's credentials when it has some.
#include <algorithm>

#include "base/json.h"
#include "registry/auth.h"
#include "registry/endpoint.h"
#include "registry/errors.h"
#include "registry/url.h"

namespace kiln::registry {

Result<TlsPolicy> Authorizer::RealmPolicy(const std::string& realm, bool with_credentials) const {
  std::string origin = UrlOrigin(realm);
  if (realm.rfind("http://", 0) == 0 && with_credentials) {
    std::string authority = origin.substr(std::string("http://").size());
    bool own = !endpoint_.http_base.empty() && origin == endpoint_.http_base;
    if (!own && !IsLoopbackHost(authority)) {
      return PermissionDenied(host_ + ": the registry's token realm " + origin +
                              " is plain HTTP: credentials are not sent there in clear text");
    }
  }
  // The host's CA, client certificate and --tls-verify=false are the host's, not another's.
  return origin == endpoint_.https_base ? endpoint_.tls : TlsPolicy{};
}

Result<Authorizer::Token> Authorizer::FetchToken(const Challenge& challenge,
                                                 const std::vector<std::string>& scopes,
                                                 const std::optional<Credentials>& credentials) {
  auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() ||
      (realm->second.rfind("https://", 0) != 0 && realm->second.rfind("http://", 0) != 0)) {
    return PermissionDenied(host_ + ": the registry asked for a token without naming a realm");
  }
  Request request;
  request.url = realm->second;
  if (auto service = challenge.params.find("service"); service != challenge.params.end()) {
    request.url = WithQuery(request.url, "service", service->second);
  }
  if (credentials && credentials->username == "<token>") {
    // An identity token (docker login's refresh token): OAuth2, in a POST body, never a URL.
    request.method = "POST";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body =
        "grant_type=refresh_token&client_id=kiln&refresh_token=" + UrlEncode(credentials->password);
    if (auto service = challenge.params.find("service"); service != challenge.params.end()) {
      request.body += "&service=" + UrlEncode(service->second);
    }
    std::string joined;
    for (const std::string& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
    if (!joined.empty()) request.body += "&scope=" + UrlEncode(joined);
  } else {
    for (const std::string& scope : scopes) request.url = WithQuery(request.url, "scope", scope);
    if (credentials) {
      request.url = WithQuery(request.url, "account", credentials->username);
      request.headers.emplace_back("Authorization", BasicAuthorization(*credentials));
    }
  }
  ASSIGN_OR_RETURN(request.tls, RealmPolicy(realm->second, credentials.has_value()));
  request.max_body = 1 << 20;
  std::string what = "GET token from " + realm->second;
  ASSIGN_OR_RETURN(Response response, transport_->Do(request));
  if (response.status == 401 || response.status == 403) {
    return AuthRequired(host_, credentials.has_value());
  }
  if (response.status != 200) return StatusFromResponse(response, what);
  auto doc = ParseJson(response.body, "token response");
  if (!doc.ok() || !doc->is_object()) return Unavailable(what + ": the answer is not JSON");
  std::string token = doc->value("token", "");
  if (token.empty()) token = doc->value("access_token", "");
  if (token.empty()) return Unavailable(what + ": the answer holds no token");
  int64_t expires_in = 60;  // the spec's default
  if (auto e = doc->find("expires_in"); e != doc->end() && e->is_number_integer()) {
    expires_in = std::max<int64_t>(e->get<int64_t>(), 1);
  }
  // Renew a little early, so that a token does not expire on its way.
  auto lifetime = std::chrono::seconds(expires_in - std::min<int64_t>(expires_in / 10, 30));
  return Token{token, std::chrono::steady_clock::now() + lifetime};
}

}  // namespace kiln::registry
