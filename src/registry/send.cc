// One request of the client: the base URL, auth, redirects and retries around Transport::Do.
#include <algorithm>

#include "base/log.h"
#include "registry/client_internal.h"
#include "registry/errors.h"
#include "registry/url.h"

namespace kiln::registry {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool IsAbsolute(const std::string& url) { return !UrlOrigin(url).empty(); }

}  // namespace

Client::Impl::Impl(std::string host_name, ClientOptions opts)
    : host(std::move(host_name)),
      options(std::move(opts)),
      endpoint(EndpointFor(host, options.host)),
      auth_(host, options.credentials, options.transport, endpoint) {}

void Client::Impl::Log(LogLevel level, const std::string& line) const {
  std::lock_guard lock(log_mu_);
  if (options.log) {
    options.log(level, line);
  } else {
    kiln::Log(level, line);
  }
}

Result<Response> Client::Impl::Send(const Call& call) {
  std::string base;
  {
    std::lock_guard lock(mu_);
    base = base_;
  }
  if (!base.empty()) return SendTo(base, call);
  if (IsAbsolute(call.url)) {
    bool http = !endpoint.http_base.empty() && UrlOrigin(call.url) == endpoint.http_base;
    return SendTo(http ? endpoint.http_base : endpoint.https_base, call);
  }
  Result<Response> https = SendTo(endpoint.https_base, call);
  if (https.ok() || https.status().code() != Code::kUnavailable || endpoint.http_base.empty()) {
    if (https.ok()) {
      std::lock_guard lock(mu_);
      base_ = endpoint.https_base;
    }
    return https;
  }
  Result<Response> http = SendTo(endpoint.http_base, call);
  if (http.ok() && http->status == 400 && http->body.find("\"errors\"") == std::string::npos) {
    // Not a registry's answer but a TLS server's to plain HTTP: the https failure is the news.
    return Status(https.status().code(),
                  https.status().message() + "; the host speaks TLS (plain HTTP: HTTP 400)");
  }
  if (!http.ok()) {
    return Status(http.status().code(),
                  https.status().message() + "; over plain HTTP: " + http.status().message());
  }
  bool first;
  {
    std::lock_guard lock(mu_);
    first = base_.empty();
    base_ = endpoint.http_base;
  }
  if (first) Log(LogLevel::kDebug, host + ": no TLS here; using plain HTTP");
  return http;
}

Result<Response> Client::Impl::SendTo(const std::string& base, const Call& call) {
  std::string url = IsAbsolute(call.url) ? call.url : base + call.url;
  bool own = UrlOrigin(url) == base;  // credentials go to their own host only
  std::string sent = own ? auth_.HeaderFor(call.scopes) : "";
  ASSIGN_OR_RETURN(Response r, Transfer(call, url, sent, endpoint.tls));
  if (call.authorized) *call.authorized = !sent.empty();
  if (r.status == 401 && own) {
    RETURN_IF_ERROR(auth_.Answer(r, call.scopes, sent));
    std::string again = auth_.HeaderFor(call.scopes);
    // A body that was read cannot be sent again here: the upload resumes (upload.cc).
    if (call.body_reader) return Unavailable(host + ": authorization renewed mid-upload");
    ASSIGN_OR_RETURN(r, Transfer(call, url, again, endpoint.tls));
    if (call.authorized) *call.authorized = !again.empty();
    if (r.status == 401) {
      std::vector<std::string> values;
      auto [begin, end] = r.headers.equal_range("www-authenticate");
      for (auto it = begin; it != end; ++it) values.push_back(it->second);
      for (const Challenge& c : ParseChallenges(values)) {
        auto error = c.params.find("error");
        if (error == c.params.end() || error->second != "insufficient_scope") continue;
        auto scope = c.params.find("scope");
        return PermissionDenied(host + ": access denied: the token server does not grant " +
                                (scope == c.params.end() ? "the access asked" : scope->second));
      }
      bool had = false;
      if (options.credentials) {
        auto creds = options.credentials->For(host);
        had = creds.ok() && creds->has_value();
      }
      return AuthRequired(host, had);
    }
  }
  for (int hops = 0; call.follow_redirects && IsRedirect(r.status) && hops < 5; ++hops) {
    std::string location = r.Header("location");
    if (location.empty()) break;
    url = ResolveUrl(url, location);
    TlsPolicy tls = UrlOrigin(url) == base ? endpoint.tls : TlsPolicy{};
    ASSIGN_OR_RETURN(r, Transfer(call, url, "", tls));  // never with Authorization
    if (call.authorized) *call.authorized = false;
  }
  return r;
}

Result<Response> Client::Impl::Transfer(const Call& call, const std::string& url,
                                        const std::string& auth, const TlsPolicy& tls) {
  Request req;
  req.method = call.method;
  req.url = url;
  req.headers = call.headers;
  if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
  req.body = call.body;
  req.body_reader = call.body_reader;
  req.body_size = call.body_size;
  req.max_body = call.max_body;
  req.tls = tls;
  bool to_sink = false;
  std::string other;  // the body of an answer that is not the one asked for
  if (call.on_body) {
    req.on_head = [&](int status, const Headers& headers) {
      to_sink = status / 100 == 2;
      return to_sink && call.on_head ? call.on_head(status, headers) : Status::Ok();
    };
    req.on_body = [&](std::string_view chunk) {
      if (to_sink) return call.on_body(chunk);
      if (other.size() < (size_t{1} << 20)) other.append(chunk);
      return Status::Ok();
    };
  }
  ASSIGN_OR_RETURN(Response r, options.transport->Do(req));
  if (call.on_body && !to_sink && r.body.empty()) r.body = std::move(other);
  return r;
}

Result<Response> Client::Impl::SendChecked(const Call& call, const std::string& what,
                                           std::initializer_list<int> ok) {
  int tries = 0;
  auto log = [this](const std::string& line) { Log(LogLevel::kWarn, line); };
  Result<Response> r = WithRetries(
      options.retry, what, log, [&](AttemptNotes&) { return Send(call); }, &tries);
  if (r.ok() && std::find(ok.begin(), ok.end(), r->status) != ok.end()) return r;
  return Failure(r, what, tries);
}

Status Client::Impl::Failure(const Result<Response>& r, const std::string& what, int tries) {
  std::string after = tries > 1 ? " (after " + std::to_string(tries) + " attempts)" : "";
  if (!r.ok()) return Status(r.status().code(), what + ": " + r.status().message() + after);
  Status s = StatusFromResponse(*r, what);
  return Status(s.code(), s.message() + after);
}

}  // namespace kiln::registry
