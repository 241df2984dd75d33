#include "testing/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <deque>
#include <utility>

namespace kiln::testing {

struct FaultProxy::Connection {
  UniqueFd client, upstream;
  std::thread up, down;
  std::mutex mu;                                             // Guards requests.
  std::deque<std::pair<std::string, std::string>> requests;  // (method, path) awaiting answers.
  void Close() {
    ::shutdown(client.get(), SHUT_RDWR);
    ::shutdown(upstream.get(), SHUT_RDWR);
  }
};

namespace {

Result<UniqueFd> LoopbackSocket(int port, bool listen) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoStatus("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if (listen) {
    if (::bind(fd.get(), sa, sizeof(addr)) != 0) return ErrnoStatus("bind", errno);
    if (::listen(fd.get(), 64) != 0) return ErrnoStatus("listen", errno);
  } else if (::connect(fd.get(), sa, sizeof(addr)) != 0) {
    return ErrnoStatus("connect 127.0.0.1:" + std::to_string(port), errno);
  }
  return fd;
}

// Copies `from` to `to` through `framer` until EOF, an error or a cut (true: a cut).
bool Pump(int from, int to, HttpFramer& framer) {
  char buf[64 * 1024];
  std::string out;
  for (;;) {
    ssize_t n = ::recv(from, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out.clear();
    bool go_on = framer.Feed(std::string_view(buf, static_cast<size_t>(n)), &out);
    if (!WriteAll(to, out).ok()) return false;
    if (!go_on) return true;
  }
}

}  // namespace

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(int upstream_port) {
  std::unique_ptr<FaultProxy> p(new FaultProxy());
  p->upstream_port_ = upstream_port;
  ASSIGN_OR_RETURN(p->listen_, LoopbackSocket(0, /*listen=*/true));
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(p->listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoStatus("getsockname", errno);
  }
  p->port_ = ntohs(addr.sin_port);
  p->acceptor_ = std::thread([raw = p.get()] { raw->AcceptLoop(); });
  return p;
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  ::shutdown(listen_.get(), SHUT_RDWR);  // Wakes accept(2) on Linux.
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::unique_ptr<Connection>> connections;
  {
    // Not held while joining: a connection's thread may be waiting for mu_ in PlanRequest.
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_list_);
  }
  for (auto& c : connections) {
    c->Close();
    if (c->up.joinable()) c->up.join();
    if (c->down.joinable()) c->down.join();
  }
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    auto c = std::make_unique<Connection>();
    c->client.reset(fd);
    auto upstream = LoopbackSocket(upstream_port_, /*listen=*/false);
    if (!upstream.ok()) continue;  // The client sees its connection closed.
    c->upstream = std::move(*upstream);
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    Serve(c.get());
    connections_list_.push_back(std::move(c));
  }
}

void FaultProxy::Serve(Connection* c) {
  c->up = std::thread([this, c] {
    HttpFramer requests(false, [this, c](HttpFramer::Head& h) {
      std::lock_guard<std::mutex> lock(c->mu);
      c->requests.emplace_back(h.method, h.path);
      size_t length = h.framing == HttpFramer::Framing::kLength ? h.length : HttpFramer::kNone;
      return PlanRequest(h.method, length);
    });
    if (Pump(c->client.get(), c->upstream.get(), requests)) ++uploads_cut_;
    c->Close();
  });
  c->down = std::thread([this, c] {
    HttpFramer responses(true, [this, c](HttpFramer::Head& h) {
      std::pair<std::string, std::string> request;
      {
        std::lock_guard<std::mutex> lock(c->mu);
        if (!c->requests.empty()) {
          request = c->requests.front();
          if (h.status >= 200) c->requests.pop_front();
        }
      }
      if (h.status < 200) return HttpFramer::Plan{};
      if (request.first == "HEAD") h.framing = HttpFramer::Framing::kEmpty;
      size_t length = h.framing == HttpFramer::Framing::kLength ? h.length : HttpFramer::kNone;
      return PlanResponse(request.first, request.second, h.status, length);
    });
    if (Pump(c->upstream.get(), c->client.get(), responses)) ++responses_cut_;
    c->Close();
  });
}

void FaultProxy::CutNextUploadAfter(size_t body_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  cut_upload_ = body_bytes;
}

void FaultProxy::CutNextResponseAfter(size_t body_bytes, const std::string& path_part) {
  std::lock_guard<std::mutex> lock(mu_);
  cut_response_ = body_bytes;
  cut_response_path_ = path_part;
}

void FaultProxy::CorruptBlobs(bool on, size_t at) {
  std::lock_guard<std::mutex> lock(mu_);
  corrupt_ = on;
  corrupt_at_ = at;
}

HttpFramer::Plan FaultProxy::PlanRequest(const std::string& method, size_t length) {
  HttpFramer::Plan plan;
  std::lock_guard<std::mutex> lock(mu_);
  bool upload = method == "PATCH" || method == "PUT";
  // An unknown length (chunked) counts as longer than any cut point.
  if (upload && cut_upload_ != HttpFramer::kNone &&
      (length == HttpFramer::kNone || length > cut_upload_)) {
    plan.cut_after = cut_upload_;
    cut_upload_ = HttpFramer::kNone;
  }
  return plan;
}

HttpFramer::Plan FaultProxy::PlanResponse(const std::string& method, const std::string& path,
                                          int status, size_t length) {
  HttpFramer::Plan plan;
  std::lock_guard<std::mutex> lock(mu_);
  bool long_enough = length == HttpFramer::kNone || length > cut_response_;
  if (cut_response_ != HttpFramer::kNone && long_enough &&
      path.find(cut_response_path_) != std::string::npos) {
    plan.cut_after = cut_response_;
    cut_response_ = HttpFramer::kNone;
  }
  bool blob = method == "GET" && path.find("/blobs/") != std::string::npos;
  if (corrupt_ && blob && status == 200 && length != HttpFramer::kNone && length > 0) {
    size_t at = corrupt_at_ == kMiddle ? length / 2 : corrupt_at_;
    if (at < length) {
      plan.flip_at = at;
      ++blobs_corrupted_;
    }
  }
  return plan;
}

}  // namespace kiln::testing
