// Registry auth for the client (client.h): WWW-Authenticate challenges, basic auth, and the
// bearer-token flow (https://distribution.github.io/distribution/spec/auth/token/) with a
// token cache per scope set. Internal to registry/.
//
// Secrets (passwords, tokens) live only in the Authorization values this returns; no Status or
// log line from here carries one.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/client.h"
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
// Thread-safe.
class Authorizer {
 public:
  Authorizer(std::string host, CredentialSource* credentials, Transport* transport, TlsPolicy tls);
  // The Authorization value for a request to the host that needs `scopes`
  // ("repository:team/tool:pull"), from what the challenges taught so far; "" = anonymous.
  std::string HeaderFor(const std::vector<std::string>& scopes);
  // Answers a 401 from the host, to a request that needed `scopes` and carried `sent` (its
  // Authorization value, "" when anonymous): learns the scheme, fetches a token from the realm
  // for `scopes` and the challenge's scope. Ok = send the request again with HeaderFor();
  // PermissionDenied (AuthRequired) when that would send the same answer again or the realm
  // refuses the credentials; Unavailable when the realm cannot be reached.
  Status Answer(const Response& response, const std::vector<std::string>& scopes,
                const std::string& sent);

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  // GET realm?service=…&scope=…, as basic auth with `credentials` when there are some.
  Status FetchToken(const Challenge& challenge, const std::vector<std::string>& scopes,
                    const std::string& key, const std::optional<Credentials>& credentials);
  std::string host_;
  CredentialSource* credentials_;
  Transport* transport_;
  TlsPolicy tls_;
  std::mutex mu_;
  std::string scheme_;                   // "", "basic" or "bearer"
  std::string basic_;                    // the Basic value, once the host asked for it
  std::map<std::string, Token> tokens_;  // by the sorted, joined scopes
};

}  // namespace kiln::registry
