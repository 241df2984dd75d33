// Registry auth for the client (client.h): WWW-Authenticate challenges, basic auth, and the
// bearer-token flow (https://distribution.github.io/distribution/spec/auth/token/) with a
// token cache per scope set. Internal to registry/.
//
// Secrets (passwords, tokens) live only in the Authorization values this returns; no Status or
// log line from here carries one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/client.h"
#include "registry/endpoint.h"
#include "registry/transport.h"

namespace kiln::registry {

struct Challenge {
  std::string scheme;                         // lower case: "basic", "bearer"
  std::map<std::string, std::string> params;  // lower-case keys: realm, service, scope, error
};

// Every challenge in the values of WWW-Authenticate headers (quoted values may hold commas:
// scope="repository:a:pull,push").
std::vector<Challenge> ParseChallenges(const std::vector<std::string>& header_values);

// "Basic base64(user:password)".
std::string BasicAuthorization(const Credentials& credentials);

// "HOST: authentication required: wrong username or password, or run kiln login HOST".
Status AuthRequired(const std::string& host, bool had_credentials);

// What one host's challenges taught: the scheme to answer with, and the tokens fetched.
// Thread-safe. A token request runs without the lock: other transfers to the host go on
// meanwhile, and a second thread needing the same scopes waits for the first one's token
// instead of fetching its own.
//
// The token realm: the host's TlsPolicy (its CA, client certificate, --tls-verify=false) only
// when the realm is on the host itself (its HTTPS base), else the default policy (system CAs,
// verified). Credentials go to a plain-HTTP realm only when it is a loopback host, or the host
// itself when the host may be reached over plain HTTP (loopback or insecure); else the token
// request is PermissionDenied naming the realm.
class Authorizer {
 public:
  Authorizer(std::string host, CredentialSource* credentials, Transport* transport,
             Endpoint endpoint);
  // The Authorization value for a request to the host that needs `scopes`
  // ("repository:team/tool:pull"), from what the challenges taught so far; "" = anonymous.
  std::string HeaderFor(const std::vector<std::string>& scopes);
  // Answers a 401 from the host, to a request that needed `scopes` and carried `sent` (its
  // Authorization value, "" when anonymous): learns the scheme, fetches a token from the realm
  // for `scopes` and the challenge's scope. Ok = send the request again with HeaderFor();
  // PermissionDenied (AuthRequired) when that would send the same answer again or the realm
  // refuses the credentials (or may not have them: see above); Unavailable when the realm
  // cannot be reached.
  Status Answer(const Response& response, const std::vector<std::string>& scopes,
                const std::string& sent);

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  Status AnswerBearer(const Challenge& bearer, const std::vector<std::string>& scopes,
                      const std::string& sent, const std::optional<Credentials>& credentials);
  // GET realm?service=…&scope=…, as basic auth with `credentials` when there are some. Called
  // without mu_ held.
  Result<Token> FetchToken(const Challenge& challenge, const std::vector<std::string>& scopes,
                           const std::optional<Credentials>& credentials);
  // The TlsPolicy for a request to `realm`; PermissionDenied when `with_credentials` may not go
  // there (plain HTTP elsewhere than loopback or the host itself).
  Result<TlsPolicy> RealmPolicy(const std::string& realm, bool with_credentials) const;
  const std::string host_;
  CredentialSource* const credentials_;
  Transport* const transport_;
  const Endpoint endpoint_;
  std::mutex mu_;
  std::condition_variable fetched_;      // a token request ended (fetching_ shrank)
  std::string scheme_;                   // "", "basic" or "bearer"
  std::string basic_;                    // the Basic value, once the host asked for it
  std::map<std::string, Token> tokens_;  // by the sorted, joined scopes
  std::set<std::string> fetching_;       // keys whose token a thread is fetching
};

}  // namespace kiln::registry
