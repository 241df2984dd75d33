// Many threads calling the curl transport's Do() at once (run under ThreadSanitizer by the
// tsan-concurrent preset: the name says Concurrent).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "registry/curl_transport.h"
#include "testing/http_server.h"

namespace kiln::registry {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponseText;
using testing::HttpServer;

// The body GET /n/K answers: its own size and bytes for each K.
std::string BodyFor(int k) {
  std::string body(static_cast<size_t>(k % 13 + 1) * 5000, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (k + i) % 26);
  return body;
}

TEST(CurlTransportConcurrentTest, ConcurrentDoFromManyThreads) {
  HttpServer server([](const HttpRequest& request, HttpConnection& c) {
    if (request.method == "PUT") {
      (void)c.Write(HttpResponseText(201, request.body));
    } else {
      (void)c.Write(HttpResponseText(200, BodyFor(std::stoi(request.target.substr(3)))));
    }
  });
  CurlTransport transport;
  constexpr int kThreads = 12, kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int k = t * kEach + i;
        std::string want = BodyFor(k), got;
        Request request;
        request.url = server.Url("/n/" + std::to_string(k));
        switch (k % 3) {
          case 0:  // collected
            break;
          case 1:  // streamed
            request.on_body = [&](std::string_view chunk) {
              got.append(chunk);
              return Status::Ok();
            };
            break;
          case 2: {  // sent by a reader, echoed back
            request.method = "PUT";
            request.body_size = static_cast<int64_t>(want.size());
            request.body_reader = [&, sent = size_t{0}](char* buf, size_t n) mutable {
              size_t len = std::min({n, want.size() - sent, size_t{4096}});
              std::copy_n(want.data() + sent, len, buf);
              sent += len;
              return Result<size_t>(len);
            };
            break;
          }
        }
        auto response = transport.Do(request);
        ASSERT_TRUE(response.ok()) << response.status().ToString();
        if (k % 3 != 1) got = response->body;
        EXPECT_EQ(got.size(), want.size()) << k;
        if (got == want) good.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kEach);
  EXPECT_EQ(transport.stats().transfers, kThreads * kEach);
  // Each thread has one request in flight at a time: kept-alive connections serve the rest.
  EXPECT_LE(server.connections(), 2 * kThreads);
}

TEST(CurlTransportConcurrentTest, ConcurrentDoWhileTheTransportIsMadeAndDestroyed) {
  HttpServer server(
      [](const HttpRequest&, HttpConnection& c) { (void)c.Write(HttpResponseText(200, "ok")); });
  for (int round = 0; round < 5; ++round) {
    CurlTransport transport;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        Request request;
        request.url = server.Url("/");
        auto response = transport.Do(request);
        ASSERT_TRUE(response.ok()) << response.status().ToString();
        EXPECT_EQ(response->body, "ok");
      });
    }
    for (auto& t : threads) t.join();
  }
}

}  // namespace
}  // namespace kiln::registry
