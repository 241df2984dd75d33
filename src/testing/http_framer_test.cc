#include "testing/http_framer.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::testing {
namespace {

using Framing = HttpFramer::Framing;

// Feeds `in` one byte at a time (the hardest split) and returns what is forwarded.
std::string FeedBytewise(HttpFramer& f, const std::string& in, bool* cut) {
  std::string out;
  *cut = false;
  for (char c : in) {
    if (!f.Feed(std::string_view(&c, 1), &out)) {
      *cut = true;
      break;
    }
  }
  return out;
}

TEST(HttpFramerTest, FramesKeepAliveRequestsWithLengthAndChunkedBodies) {
  std::vector<std::string> seen;
  HttpFramer f(false, [&](HttpFramer::Head& h) {
    seen.push_back(h.method + " " + h.path);
    return HttpFramer::Plan{};
  });
  std::string in =
      "PATCH /v2/a/blobs/uploads/x HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET /\r\n"
      "PUT /p HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n";
  bool cut;
  EXPECT_EQ(FeedBytewise(f, in, &cut), in);
  EXPECT_FALSE(cut);
  // "GET /\r\n" inside the first body is body, not a request.
  EXPECT_EQ(seen, (std::vector<std::string>{"PATCH /v2/a/blobs/uploads/x", "PUT /p", "GET /v2/"}));
}

TEST(HttpFramerTest, CutsAndFlipsBodyBytesOnly) {
  HttpFramer cutter(false, [](HttpFramer::Head&) { return HttpFramer::Plan{.cut_after = 2}; });
  bool cut;
  std::string out = FeedBytewise(cutter, "PUT /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", &cut);
  EXPECT_TRUE(cut);
  EXPECT_EQ(out, "PUT /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nab");

  HttpFramer chunk_cutter(false,
                          [](HttpFramer::Head&) { return HttpFramer::Plan{.cut_after = 4}; });
  out = FeedBytewise(chunk_cutter,
                     "PUT /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
                     &cut);
  EXPECT_TRUE(cut);
  EXPECT_EQ(out.substr(out.size() - 9), "abc\r\n3\r\nd");

  HttpFramer flipper(true, [](HttpFramer::Head& h) {
    return h.status == 200 ? HttpFramer::Plan{.flip_at = 1} : HttpFramer::Plan{};
  });
  std::string in =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx";
  out = FeedBytewise(flipper, in, &cut);
  EXPECT_FALSE(cut);
  std::string expected = in;
  expected[expected.find("abc") + 1] ^= 0x01;
  EXPECT_EQ(out, expected);
}

TEST(HttpFramerTest, HeadResponsesHaveNoBodyWhateverTheirLength) {
  int heads = 0;
  HttpFramer f(true, [&](HttpFramer::Head& h) {
    if (++heads == 1) h.framing = Framing::kEmpty;  // The answer to a HEAD.
    return HttpFramer::Plan{};
  });
  std::string in =
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  bool cut;
  EXPECT_EQ(FeedBytewise(f, in, &cut), in);
  EXPECT_EQ(heads, 2);
}

}  // namespace
}  // namespace kiln::testing
