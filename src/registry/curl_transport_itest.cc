// The curl transport against a loopback HTTP/1.1 server of the test's own (testing/http_server.h).
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "registry/curl_transfer.h"
#include "registry/curl_transport.h"
#include "testing/http_server.h"

namespace kiln::registry {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponseText;
using testing::HttpServer;

Request Get(const std::string& url) {
  Request request;
  request.url = url;
  return request;
}

TEST(CurlTransportTest, GetCollectsBodyAndFinalHeaders) {
  HttpRequest seen;
  HttpServer server([&](const HttpRequest& request, HttpConnection& c) {
    seen = request;
    ASSERT_TRUE(c.Write(HttpResponseText(201, "hello", {{"X-Multi", "a"}, {"x-multi", "b"},
                                                         {"Docker-Content-Digest", " sha256:1 "}}))
                    .ok());
  });
  CurlTransport transport;
  Request request = Get(server.Url("/v2/a?n=1"));
  request.headers = {{"X-Custom", "yes"}, {"Authorization", "Basic eDp5"}};
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->headers.count("x-multi"), 2u);
  EXPECT_EQ(response->Header("docker-content-digest"), "sha256:1");
  EXPECT_EQ(response->Header("content-length"), "5");
  EXPECT_EQ(response->Header("missing"), "");
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/v2/a?n=1");
  EXPECT_EQ(seen.Header("x-custom"), "yes");
  EXPECT_EQ(seen.Header("authorization"), "Basic eDp5");
  EXPECT_EQ(seen.headers.count("accept"), 0u) << "no Accept of curl's own";
}

TEST(CurlTransportTest, RedirectIsNotFollowed) {
  HttpServer server([&](const HttpRequest& request, HttpConnection& c) {
    ASSERT_EQ(request.target, "/from");
    ASSERT_TRUE(c.Write(HttpResponseText(307, "", {{"Location", "/to"}})).ok());
  });
  CurlTransport transport;
  auto response = transport.Do(Get(server.Url("/from")));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 307);
  EXPECT_EQ(response->Header("location"), "/to");
  EXPECT_EQ(server.requests(), 1);
}

TEST(CurlTransportTest, BodyBeyondMaxBodyIsInvalidArgument) {
  HttpServer server([&](const HttpRequest&, HttpConnection& c) {
    (void)c.Write(HttpResponseText(200, std::string(1000, 'x')));
  });
  CurlTransport transport;
  Request request = Get(server.Url("/big"));
  request.max_body = 1000;
  auto fits = transport.Do(request);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->body.size(), 1000u);
  request.max_body = 999;
  auto beyond = transport.Do(request);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), Code::kInvalidArgument) << beyond.status().ToString();
  EXPECT_NE(beyond.status().message().find("999"), std::string::npos);
}

TEST(CurlTransportTest, HeadHasHeadersAndNoBody) {
  HttpServer server([&](const HttpRequest& request, HttpConnection& c) {
    EXPECT_EQ(request.method, "HEAD");
    ASSERT_TRUE(c.Write(HttpResponseText(200, "", {{"Docker-Content-Digest", "sha256:ab"}},
                                         /*content_length=*/12345))
                    .ok());
  });
  CurlTransport transport;
  Request request = Get(server.Url("/v2/r/manifests/1"));
  request.method = "HEAD";
  for (int i = 0; i < 2; ++i) {  // the connection stays usable after a HEAD
    auto response = transport.Do(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("content-length"), "12345");
    EXPECT_EQ(response->Header("docker-content-digest"), "sha256:ab");
    EXPECT_EQ(response->body, "");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransportTest, MethodsAndMemoryBodies) {
  HttpServer server([&](const HttpRequest& request, HttpConnection& c) {
    std::string echo = request.method + " " + request.Header("content-length") + " " + request.body;
    ASSERT_TRUE(c.Write(HttpResponseText(202, echo)).ok());
  });
  CurlTransport transport;
  struct Case {
    std::string method, body, echo;
  };
  for (const Case& test : {Case{"POST", "", "POST 0 "}, Case{"PATCH", "abc", "PATCH 3 abc"},
                           Case{"PUT", "{}", "PUT 2 {}"}, Case{"DELETE", "", "DELETE  "},
                           Case{"GET", "", "GET  "}}) {
    Request request = Get(server.Url("/x"));
    request.method = test.method;
    request.body = test.body;
    auto response = transport.Do(request);
    ASSERT_TRUE(response.ok()) << test.method << ": " << response.status().ToString();
    EXPECT_EQ(response->body, test.echo);
  }
  EXPECT_EQ(server.connections(), 1) << "one keep-alive connection for all";
}

TEST(CurlTransportTest, RefusedPortIsUnavailableAndSaysNoSecret) {
  CurlTransport transport;
  Request request = Get("http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort()) +
                        "/v2/?sig=querysecret");
  request.headers = {{"Authorization", "Bearer headersecret"}};
  auto response = transport.Do(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  const std::string& message = response.status().message();
  EXPECT_NE(message.find("GET http://127.0.0.1:"), std::string::npos) << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

TEST(CurlTransportTest, WholeRequestTimeoutIsDeadlineExceeded) {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  HttpServer server([&](const HttpRequest&, HttpConnection&) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });  // never answers while the client waits
  });
  CurlTransport transport;
  Request request = Get(server.Url("/slow"));
  request.timeout_seconds = 1;
  auto response = transport.Do(request);
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kDeadlineExceeded) << response.status().ToString();
}

TEST(UrlForMessagesTest, DropsQueryAndUserInfo) {
  EXPECT_EQ(UrlForMessages("https://h:1/v2/x?sig=abc#f"), "https://h:1/v2/x");
  EXPECT_EQ(UrlForMessages("https://u:p@h/v2/"), "https://h/v2/");
  EXPECT_EQ(UrlForMessages("https://h/a@b"), "https://h/a@b");
}

}  // namespace
}  // namespace kiln::registry
