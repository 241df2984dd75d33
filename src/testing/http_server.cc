#include "testing/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace kiln::testing {
namespace {

constexpr size_t kMaxHead = 64 << 10;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Reads from `fd` into `buf` until it holds `n` bytes; false at EOF or an error.
bool ReadUntilSize(int fd, std::string& buf, size_t n) {
  char tmp[64 << 10];
  while (buf.size() < n) {
    ssize_t got = ::recv(fd, tmp, sizeof(tmp), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    buf.append(tmp, static_cast<size_t>(got));
  }
  return true;
}

// Reads from `fd` into `buf` until it contains `delim`; its end offset, or npos.
size_t ReadUntil(int fd, std::string& buf, std::string_view delim, size_t from = 0) {
  while (true) {
    size_t at = buf.find(delim, from);
    if (at != std::string::npos) return at + delim.size();
    if (buf.size() > kMaxHead || !ReadUntilSize(fd, buf, buf.size() + 1)) return std::string::npos;
  }
}

bool ParseHead(std::string_view head, HttpRequest& request) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  for (size_t pos = eol + 2; pos < head.size();) {
    size_t end = head.find("\r\n", pos);
    std::string_view header = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace(Lower(std::string(Trim(header.substr(0, colon)))),
                            std::string(Trim(header.substr(colon + 1))));
  }
  return true;
}

// Reads a chunked body from `buf` (refilled from `fd`); consumes it from `buf`.
bool ReadChunked(int fd, std::string& buf, std::string& body) {
  while (true) {
    size_t line_end = ReadUntil(fd, buf, "\r\n");
    if (line_end == std::string::npos) return false;
    size_t size = std::strtoul(buf.c_str(), nullptr, 16);
    buf.erase(0, line_end);
    if (size == 0) {  // trailers until an empty line
      size_t end = ReadUntil(fd, buf, "\r\n");
      while (end != std::string::npos && end != 2) {
        buf.erase(0, end);
        end = ReadUntil(fd, buf, "\r\n");
      }
      if (end == std::string::npos) return false;
      buf.erase(0, end);
      return true;
    }
    if (!ReadUntilSize(fd, buf, size + 2)) return false;
    body.append(buf, 0, size);
    buf.erase(0, size + 2);
  }
}

}  // namespace

std::string HttpRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Status HttpConnection::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("send", errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string HttpResponseText(int status, std::string_view body,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             int64_t content_length) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Status\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  int64_t length = content_length >= 0 ? content_length : static_cast<int64_t>(body.size());
  out += "Content-Length: " + std::to_string(length) + "\r\n\r\n";
  out += body;
  return out;
}

HttpServer::HttpServer(HttpHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (!listen_fd_.valid() ||
      ::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_.get(), 128) != 0 ||
      ::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

HttpServer::~HttpServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  ::shutdown(listen_fd_.get(), SHUT_RDWR);  // accept() returns
  accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

std::string HttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpServer::AcceptLoop() {
  while (true) {
    int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (fd < 0 || stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    connections_.fetch_add(1);
    open_fds_.insert(fd);
    threads_.emplace_back([this, fd] { Serve(UniqueFd(fd)); });
  }
}

void HttpServer::Serve(UniqueFd fd) {
  std::string buf;
  HttpConnection connection(fd.get());
  while (!connection.closing()) {
    size_t head_end = ReadUntil(fd.get(), buf, "\r\n\r\n");
    HttpRequest request;
    if (head_end == std::string::npos || !ParseHead(buf.substr(0, head_end), request)) break;
    buf.erase(0, head_end);
    if (Lower(request.Header("expect")) == "100-continue" &&
        !connection.Write("HTTP/1.1 100 Continue\r\n\r\n").ok()) {
      break;
    }
    if (Lower(request.Header("transfer-encoding")) == "chunked") {
      if (!ReadChunked(fd.get(), buf, request.body)) break;
    } else if (std::string length = request.Header("content-length"); !length.empty()) {
      size_t n = std::strtoull(length.c_str(), nullptr, 10);
      if (!ReadUntilSize(fd.get(), buf, n)) break;
      request.body = buf.substr(0, n);
      buf.erase(0, n);
    }
    requests_.fetch_add(1);
    handler_(request, connection);
    if (Lower(request.Header("connection")) == "close") break;
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(fd.get());
}

int UnusedLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::abort();
  }
  return ntohs(addr.sin_port);
}

}  // namespace kiln::testing
