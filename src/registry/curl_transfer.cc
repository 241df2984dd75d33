// Transfer: the easy handle's options and libcurl's callbacks (loop thread).
#include "registry/curl_transfer.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/fs.h"

namespace kiln::registry {
namespace {

// Where Debian keeps the system's CAs as a hashed directory: loaded beside a CAINFO of our own.
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Transfer::Transfer(const Request& request) : request_(request) {}

Transfer::~Transfer() {
  if (easy_) curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
}

Status Transfer::Setup() {
  easy_ = curl_easy_init();
  if (!easy_) return Internal("curl_easy_init failed");
  bool has_accept = false;
  for (const auto& [name, value] : request_.headers) {
    if (name.find_first_of(":\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument(request_.method + " request: header " + name + " is malformed");
    }
    has_accept = has_accept || Lower(name) == "accept";
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers_ = curl_slist_append(headers_, line.c_str());
  }
  if (!has_accept) headers_ = curl_slist_append(headers_, "Accept:");  // no "*/*" of curl's own
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stall: under 1 byte/s ...
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, 60L);  // ... for a minute
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT, static_cast<long>(request_.timeout_seconds));
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, 256L << 10);
  curl_easy_setopt(easy_, CURLOPT_UPLOAD_BUFFERSIZE, 256L << 10);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::OnWrite);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  SetMethodAndBody();
  SetTls();
  return Status::Ok();
}

void Transfer::SetMethodAndBody() {
  const std::string& method = request_.method;
  bool has_body = request_.body_reader || !request_.body.empty() || method == "PUT" ||
                  method == "POST" || method == "PATCH";
  if (method == "HEAD") {
    curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    // UPLOAD sends Content-Length (or chunks when the size is unknown) and makes a PUT;
    // CUSTOMREQUEST renames it.
    curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
    curl_off_t size = request_.body_reader ? request_.body_size
                                           : static_cast<curl_off_t>(request_.body.size());
    curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, size);
    curl_easy_setopt(easy_, CURLOPT_READDATA, this);
    if (request_.body_reader) {
      curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &Transfer::OnRead);
    } else {
      curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &Transfer::OnReadMemory);
      curl_easy_setopt(easy_, CURLOPT_SEEKFUNCTION, &Transfer::OnSeekMemory);
      curl_easy_setopt(easy_, CURLOPT_SEEKDATA, this);
    }
    if (method != "PUT") curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method != "GET") {
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

void Transfer::SetTls() {
  const TlsPolicy& tls = request_.tls;
  if (!tls.verify) {
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) {
    // CAINFO replaces the system bundle; the system's hashed directory keeps its CAs trusted.
    curl_easy_setopt(easy_, CURLOPT_CAINFO, tls.ca_file.c_str());
    if (IsDirectory(kSystemCaPath)) curl_easy_setopt(easy_, CURLOPT_CAPATH, kSystemCaPath);
  }
  if (!tls.client_cert.empty()) curl_easy_setopt(easy_, CURLOPT_SSLCERT, tls.client_cert.c_str());
  if (!tls.client_key.empty()) curl_easy_setopt(easy_, CURLOPT_SSLKEY, tls.client_key.c_str());
}

size_t Transfer::OnHeader(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::string_view line(data, size * n);
  // Each response (a 100 Continue, then the final one) starts with its status line: only the
  // last response's headers are kept.
  if (line.substr(0, 5) == "HTTP/") {
    t->response_.headers.clear();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response_.headers.emplace(Lower(Trim(line.substr(0, colon))),
                                 std::string(Trim(line.substr(colon + 1))));
  }
  return size * n;
}

size_t Transfer::OnWrite(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  std::lock_guard lock(t->mu_);
  if (t->cancel_) return 0;
  if (!t->request_.on_body) {
    if (static_cast<int64_t>(t->response_.body.size() + len) > t->request_.max_body) {
      t->error_ = InvalidArgument(t->request_.method + " " + UrlForMessages(t->request_.url) +
                                  ": response body larger than " +
                                  std::to_string(t->request_.max_body) + " bytes");
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    t->response_.body.append(data, len);
    return len;
  }
  if (t->head_status_ == 0) {  // the first body byte: the headers are complete
    long status = 0;
    curl_easy_getinfo(t->easy_, CURLINFO_RESPONSE_CODE, &status);
    t->head_status_ = static_cast<int>(status);
    t->head_headers_ = t->response_.headers;
  }
  if (t->down_.size() >= kTransferBuffer) {
    t->recv_paused_ = true;  // curl keeps these bytes and offers them again on unpause
    return CURL_WRITEFUNC_PAUSE;
  }
  t->down_.append(data, len);
  t->max_buffered_ = std::max(t->max_buffered_, t->down_.size());
  t->cv_.notify_all();
  return len;
}

size_t Transfer::OnRead(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::lock_guard lock(t->mu_);
  if (t->cancel_) return CURL_READFUNC_ABORT;
  size_t available = t->up_.size() - t->up_sent_;
  if (available == 0) {
    if (t->up_eof_) return 0;
    t->send_paused_ = true;
    t->cv_.notify_all();
    return CURL_READFUNC_PAUSE;
  }
  size_t len = std::min(available, size * n);
  std::memcpy(data, t->up_.data() + t->up_sent_, len);
  t->up_sent_ += len;
  t->cv_.notify_all();
  return len;
}

size_t Transfer::OnReadMemory(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = std::min(t->request_.body.size() - t->memory_sent_, size * n);
  std::memcpy(data, t->request_.body.data() + t->memory_sent_, len);
  t->memory_sent_ += len;
  return len;
}

int Transfer::OnSeekMemory(void* self, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(self);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->request_.body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->memory_sent_ = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace kiln::registry
