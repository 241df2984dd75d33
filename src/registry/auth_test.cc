// The pieces under the client: challenges, Link headers, URLs, the spec's error bodies.
#include "registry/auth.h"

#include <gtest/gtest.h>

#include "registry/errors.h"
#include "registry/url.h"

namespace kiln::registry {
namespace {

TEST(ChallengeTest, QuotedCommasAndSeveralChallenges) {
  auto c =
      ParseChallenges({R"(Bearer realm="https://auth.example/token",service="registry.example",)"
                       R"(scope="repository:team/tool:pull,push",error="insufficient_scope")",
                       R"(Basic realm="x", Bearer realm=plain)"});
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "https://auth.example/token");
  EXPECT_EQ(c[0].params["service"], "registry.example");
  EXPECT_EQ(c[0].params["scope"], "repository:team/tool:pull,push");
  EXPECT_EQ(c[0].params["error"], "insufficient_scope");
  EXPECT_EQ(c[1].scheme, "basic");
  EXPECT_EQ(c[1].params["realm"], "x");
  EXPECT_EQ(c[2].scheme, "bearer");
  EXPECT_EQ(c[2].params["realm"], "plain");
}

TEST(ChallengeTest, BasicAuthorizationIsBase64) {
  EXPECT_EQ(BasicAuthorization({"Aladdin", "open sesame"}), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(UrlTest, LinkLocationAndQuery) {
  EXPECT_EQ(LinkNext(R"(</v2/a/tags/list?n=2&last=b>; rel="next")"), "/v2/a/tags/list?n=2&last=b");
  EXPECT_EQ(LinkNext(R"(<https://x/prev>; rel="prev", <https://x/next>; rel="next")"),
            "https://x/next");
  EXPECT_EQ(LinkNext(R"(<https://x/prev>; rel="prev")"), "");
  EXPECT_EQ(LinkNext(""), "");
  EXPECT_EQ(ResolveUrl("https://h:5000/v2/a/blobs/uploads/?x=1", "/v2/a/blobs/uploads/u?_state=s"),
            "https://h:5000/v2/a/blobs/uploads/u?_state=s");
  EXPECT_EQ(ResolveUrl("https://h/v2/a", "https://s3.example/b"), "https://s3.example/b");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:5000/v2/?q"), "http://127.0.0.1:5000");
  EXPECT_EQ(WithQuery("https://h/u?_state=a", "digest", "sha256:ab"),
            "https://h/u?_state=a&digest=sha256%3Aab");
  EXPECT_EQ(WithQuery("https://h/u", "scope", "repository:a/b:pull,push"),
            "https://h/u?scope=repository%3Aa%2Fb%3Apull%2Cpush");
}

TEST(ErrorsTest, SpecCodesBecomeStatusCodes) {
  Response r;
  r.status = 404;
  r.body =
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]})";
  Status s = StatusFromResponse(r, "GET h/team/tool:1.0");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "GET h/team/tool:1.0: MANIFEST_UNKNOWN: manifest unknown");
  r.status = 403;
  r.body = R"({"errors":[{"code":"DENIED","message":"no\u001b[31m"},{"code":"X"}]})";
  s = StatusFromResponse(r, "PUT x");
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(), "PUT x: DENIED: no\\x1b[31m; X");  // escaped for a terminal
  r.status = 502;
  r.body = "<html>bad gateway</html>";
  s = StatusFromResponse(r, "GET y");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "GET y: HTTP 502");
  EXPECT_EQ(CodeFor("DIGEST_INVALID", 400), Code::kDataLoss);
  EXPECT_EQ(CodeFor("MANIFEST_BLOB_UNKNOWN", 400), Code::kFailedPrecondition);
  EXPECT_EQ(CodeFor("", 429), Code::kUnavailable);
  EXPECT_EQ(CodeFor("", 401), Code::kPermissionDenied);
}

}  // namespace
}  // namespace kiln::registry
