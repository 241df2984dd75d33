// The curl transport's request bodies from a body_reader (pulled on the calling thread, bounded),
// and interim responses, against a loopback HTTP/1.1 server of the test's own.
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

char PatternByte(uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); }

// A body_reader of `size` pattern bytes, handing out at most `step` bytes a call.
std::function<Result<size_t>(char*, size_t)> PatternReader(int64_t size, size_t step,
                                                           int64_t* offset) {
  return [=](char* buf, size_t n) -> Result<size_t> {
    size_t len =
        static_cast<size_t>(std::min<int64_t>({size - *offset, int64_t(n), int64_t(step)}));
    for (size_t i = 0; i < len; ++i) buf[i] = PatternByte(*offset + i);
    *offset += len;
    return len;
  };
}

// Answers with the body's size and whether every byte matched the pattern.
void CheckPattern(const HttpRequest& request, HttpConnection& c) {
  bool ok = true;
  for (size_t i = 0; ok && i < request.body.size(); ++i) ok = request.body[i] == PatternByte(i);
  std::string answer = request.method + " " + std::to_string(request.body.size()) +
                       (ok ? " intact" : " corrupt") + " expect=" + request.Header("expect");
  (void)c.Write(HttpResponseText(201, answer, {{"Location", "/next"}}));
}

TEST(CurlTransportUploadTest, BodyReaderOfKnownSizeArrivesWhole) {
  HttpServer server(CheckPattern);
  CurlTransport transport;
  constexpr int64_t kSize = (int64_t{8} << 20) + 12345;
  int64_t offset = 0;
  std::thread::id caller = std::this_thread::get_id();
  Request request;
  request.method = "PUT";
  request.url = server.Url("/upload");
  request.body_size = kSize;
  auto reader = PatternReader(kSize, 100003, &offset);
  request.body_reader = [&](char* buf, size_t n) {
    EXPECT_EQ(std::this_thread::get_id(), caller) << "body_reader runs on the calling thread";
    return reader(buf, n);
  };
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "PUT " + std::to_string(kSize) + " intact expect=100-continue");
  EXPECT_EQ(response->Header("location"), "/next");
}

TEST(CurlTransportUploadTest, PatchAndPostFromABodyReader) {
  HttpServer server(CheckPattern);
  CurlTransport transport;
  for (std::string method : {"PATCH", "POST"}) {
    int64_t offset = 0;
    Request request;
    request.method = method;
    request.url = server.Url("/upload");
    request.body_size = 300000;
    request.body_reader = PatternReader(300000, 7777, &offset);
    auto response = transport.Do(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, method + " 300000 intact expect=100-continue");
  }
}

TEST(CurlTransportUploadTest, ReaderShorterOrLongerThanAnnouncedIsAnError) {
  HttpServer server(CheckPattern);
  CurlTransport transport;
  for (int64_t real : {int64_t{500}, int64_t{3000}}) {
    int64_t offset = 0;
    Request request;
    request.method = "PUT";
    request.url = server.Url("/upload");
    request.body_size = 1000;
    request.body_reader = PatternReader(real, 100, &offset);
    auto response = transport.Do(request);
    ASSERT_FALSE(response.ok()) << real;
    EXPECT_EQ(response.status().code(), Code::kInvalidArgument) << response.status().ToString();
  }
}

TEST(CurlTransportUploadTest, ReaderErrorAbortsWithIt) {
  HttpServer server(CheckPattern);
  CurlTransport transport;
  Request request;
  request.method = "PUT";
  request.url = server.Url("/upload");
  request.body_size = int64_t{4} << 20;
  int calls = 0;
  request.body_reader = [&](char* buf, size_t n) -> Result<size_t> {
    if (++calls > 3) return DataLoss("the layer file went away");
    std::fill(buf, buf + n, 'x');
    return n;
  };
  auto response = transport.Do(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kDataLoss);
  EXPECT_NE(response.status().message().find("the layer file went away"), std::string::npos);
  EXPECT_EQ(calls, 4) << "not called again after its error";
}

TEST(CurlTransportUploadTest, OnlyTheFinalResponsesHeaders) {
  HttpServer server([](const HttpRequest&, HttpConnection& c) {
    (void)c.Write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\nX-Interim: 1\r\n\r\n");
    (void)c.Write(HttpResponseText(200, "final", {{"X-Final", "1"}}));
  });
  CurlTransport transport;
  Request request;
  request.url = server.Url("/");
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "final");
  EXPECT_EQ(response->Header("x-final"), "1");
  EXPECT_EQ(response->headers.count("x-interim"), 0u);
  EXPECT_EQ(response->headers.count("link"), 0u);
}

}  // namespace
}  // namespace kiln::registry
