// Request::on_head on the curl transport: the status and headers arrive once, before the first
// body byte, and an error from it ends the transfer.
#include <gtest/gtest.h>

#include "registry/transport.h"
#include "testing/http_server.h"

namespace kiln::registry {
namespace {

using Headers = std::multimap<std::string, std::string>;

TEST(CurlTransportHeadTest, StatusAndHeadersComeOnceBeforeTheBody) {
  std::string big(3 << 20, 'b');  // more than the transport buffers at once
  testing::HttpServer server([&](const testing::HttpRequest& req, testing::HttpConnection& c) {
    if (req.target == "/missing") {
      (void)c.Write(testing::HttpResponseText(404, R"({"errors":[]})", {{"X-Kind", "error"}}));
    } else {
      (void)c.Write(testing::HttpResponseText(206, big, {{"Content-Range", "bytes 0-1/2"}}));
    }
  });
  auto transport = NewCurlTransport();
  for (std::string path : {"/blob", "/missing"}) {
    std::vector<std::string> events;
    size_t bytes = 0;
    Request req;
    req.url = server.Url(path);
    req.on_head = [&](int status, const Headers& h) {
      events.push_back("head " + std::to_string(status) + " " +
                       (h.count("content-range") ? "range"
                        : h.count("x-kind")      ? "kind"
                                                 : "?"));
      return Status::Ok();
    };
    req.on_body = [&](std::string_view chunk) {
      if (events.back() != "body") events.push_back("body");
      bytes += chunk.size();
      return Status::Ok();
    };
    auto r = transport->Do(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (path == "/blob") {
      EXPECT_EQ(events, (std::vector<std::string>{"head 206 range", "body"}));
      EXPECT_EQ(bytes, big.size());
    } else {
      EXPECT_EQ(events, (std::vector<std::string>{"head 404 kind", "body"}));
      EXPECT_EQ(r->status, 404);
    }
  }
}

TEST(CurlTransportHeadTest, AnErrorFromOnHeadEndsTheTransfer) {
  testing::HttpServer server([&](const testing::HttpRequest&, testing::HttpConnection& c) {
    (void)c.Write(testing::HttpResponseText(200, std::string(1 << 20, 'x')));
  });
  auto transport = NewCurlTransport();
  Request req;
  req.url = server.Url("/blob");
  bool body = false;
  req.on_head = [](int, const Headers&) { return DataLoss("not the blob asked for"); };
  req.on_body = [&](std::string_view) {
    body = true;
    return Status::Ok();
  };
  auto r = transport->Do(req);
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().ToString();
  EXPECT_FALSE(body);
}

}  // namespace
}  // namespace kiln::registry
