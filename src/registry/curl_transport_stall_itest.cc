// The curl transport's stall timeout: a server that stops sending fails the transfer; a sink
// that holds the transfer back (paused) does not.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "registry/curl_transport.h"
#include "testing/http_server.h"

namespace kiln::registry {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponseText;
using testing::HttpServer;

CurlTransportOptions OneSecondStall() {
  CurlTransportOptions options;
  options.stall_seconds = 1;
  return options;
}

// curl judges the speed over its last 5 s, so this takes about 5 s more than the stall time.
TEST(CurlTransportStallTest, ServerThatStopsSendingIsUnavailable) {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  HttpServer server([&](const HttpRequest&, HttpConnection& c) {
    (void)c.Write(HttpResponseText(200, "", {}, 1000) + "only ten b");
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });  // the other 990 bytes never come
  });
  CurlTransport transport(OneSecondStall());
  Request request;
  request.url = server.Url("/blob");
  auto response = transport.Do(request);
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable) << response.status().ToString();
}

TEST(CurlTransportStallTest, SinkSlowerThanTheStallTimeIsNoStall) {
  constexpr size_t kSize = size_t{16} << 20;  // more than the transport and the sockets hold
  HttpServer server([&](const HttpRequest&, HttpConnection& c) {
    (void)c.Write(HttpResponseText(200, std::string(kSize, 'z')));
  });
  CurlTransport transport(OneSecondStall());
  Request request;
  request.url = server.Url("/blob");
  size_t received = 0;
  int calls = 0;
  request.on_body = [&](std::string_view chunk) {
    // The sink holds the transfer back for longer than a stall: it is paused, not stalled.
    if (calls++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    received += chunk.size();
    return Status::Ok();
  };
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(received, kSize);
}

}  // namespace
}  // namespace kiln::registry
