// The curl transport's streaming both ways (on_body, body_reader) and its use from many threads,
// against a loopback HTTP/1.1 server of the test's own (testing/http_server.h).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
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

constexpr int64_t kLargeBody = int64_t{64} << 20;

// Byte `i` of a body: the 4-byte little-endian word i/4, so a lost, doubled or swapped piece
// shows.
char PatternByte(uint64_t i) { return static_cast<char>((i / 4) >> (8 * (i % 4))); }

void FillPattern(uint64_t offset, char* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = PatternByte(offset + i);
}

// Counts bytes that differ from the pattern, from `offset` on.
int64_t PatternErrors(uint64_t offset, std::string_view data) {
  int64_t errors = 0;
  for (size_t i = 0; i < data.size(); ++i) errors += data[i] != PatternByte(offset + i);
  return errors;
}

// The server's side of a large download, written without blocking so that it can tell when the
// client stops taking bytes: `stalled` once a write waited a whole second.
struct StallWatch {
  std::mutex mu;
  std::condition_variable cv;
  int64_t written = 0, written_at_stall = -1;
  bool finished = false;
  Status failed;

  void Serve(HttpConnection& c, int64_t size) {
    if (!c.Write(HttpResponseText(200, "", {}, size)).ok()) return;
    std::string block(64 << 10, '\0');
    for (int64_t offset = 0; offset < size;) {
      size_t n = static_cast<size_t>(std::min<int64_t>(block.size(), size - offset));
      FillPattern(offset, block.data(), n);
      ssize_t sent = ::send(c.fd(), block.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL);
      std::lock_guard lock(mu);
      if (sent > 0) {
        offset += sent;
        written = offset;
      } else if (errno == EAGAIN || errno == EINTR) {
        pollfd p{c.fd(), POLLOUT, 0};
        mu.unlock();
        int ready = ::poll(&p, 1, 1000);
        mu.lock();
        if (ready == 0 && written_at_stall < 0) written_at_stall = written;
      } else {
        failed = ErrnoStatus("send", errno);
        break;
      }
      cv.notify_all();
    }
    std::lock_guard lock(mu);
    finished = true;
    cv.notify_all();
  }
  // Blocks until the server finished or stalled.
  void WaitForStallOrEnd() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return finished || written_at_stall >= 0; });
  }
};

TEST(CurlTransportStreamTest, LargeBodyStreamsInOrderToASlowSinkWithBoundedMemory) {
  StallWatch watch;
  HttpServer server([&](const HttpRequest&, HttpConnection& c) { watch.Serve(c, kLargeBody); });
  CurlTransport transport;
  Request request;
  request.url = server.Url("/blob");
  int64_t received = 0, errors = 0, calls = 0;
  std::thread::id caller = std::this_thread::get_id();
  request.on_body = [&](std::string_view chunk) {
    EXPECT_EQ(std::this_thread::get_id(), caller) << "on_body runs on the calling thread";
    // The sink stops taking bytes at first, until the server can send no more.
    if (calls++ == 0) watch.WaitForStallOrEnd();
    errors += PatternErrors(received, chunk);
    received += static_cast<int64_t>(chunk.size());
    return Status::Ok();
  };
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(received, kLargeBody);
  EXPECT_EQ(errors, 0);
  std::lock_guard lock(watch.mu);
  EXPECT_TRUE(watch.failed.ok()) << watch.failed.ToString();
  ASSERT_GE(watch.written_at_stall, 0) << "the server sent everything while the sink slept";
  EXPECT_LT(watch.written_at_stall, kLargeBody / 2);
  CurlTransport::Stats stats = transport.stats();
  EXPECT_GE(stats.max_buffered, static_cast<int64_t>(kTransferBuffer)) << "the buffer filled";
  EXPECT_LE(stats.max_buffered, static_cast<int64_t>(kTransferBuffer + (512 << 10)));
}

TEST(CurlTransportStreamTest, SinkErrorAbortsTheTransfer) {
  std::promise<Status> server_write;
  HttpServer server([&](const HttpRequest& request, HttpConnection& c) {
    if (request.target == "/small") {
      (void)c.Write(HttpResponseText(200, "small"));
      return;
    }
    Status s = c.Write(HttpResponseText(200, "", {}, kLargeBody));
    std::string block(1 << 20, 'x');
    for (int64_t sent = 0; s.ok() && sent < kLargeBody; sent += block.size()) s = c.Write(block);
    server_write.set_value(s);
  });
  CurlTransport transport;
  Request request;
  request.url = server.Url("/blob");
  int calls = 0;
  request.on_body = [&](std::string_view) {
    ++calls;
    return DataLoss("the sink is full");
  };
  auto response = transport.Do(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kDataLoss);
  EXPECT_EQ(response.status().message(), "the sink is full");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(server_write.get_future().get().ok()) << "the client hung up mid-body";
  Request small;
  small.url = server.Url("/small");
  auto next = transport.Do(small);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "small");
}

}  // namespace
}  // namespace kiln::registry
