// Transfer: the calling thread's side (Run: the sink and the reader) and the hand-over to and
// from the loop thread.
#include <algorithm>

#include "registry/curl_transfer.h"

namespace kiln::registry {
namespace {

constexpr size_t kReadChunk = size_t{256} << 10;

}  // namespace

std::string UrlForMessages(const std::string& url) {
  std::string out = url.substr(0, url.find_first_of("?#"));
  size_t scheme = out.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = out.find('@', start);
  if (at != std::string::npos && at < out.find('/', start)) out.erase(start, at + 1 - start);
  return out;
}

namespace {

// "host:port" of an absolute URL, without any user info.
std::string HostOf(const std::string& url) {
  std::string rest = UrlForMessages(url);
  size_t scheme = rest.find("://");
  rest = rest.substr(scheme == std::string::npos ? 0 : scheme + 3);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

Result<Response> Transfer::Run(const std::function<void()>& poke) {
  std::unique_lock lock(mu_);
  while (true) {
    if (DeliverBody(lock, poke) || FillUpload(lock, poke)) continue;
    if (done_) break;
    cv_.wait(lock);
  }
  lock.unlock();
  return BuildResponse();
}

bool Transfer::DeliverBody(std::unique_lock<std::mutex>& lock, const std::function<void()>& poke) {
  if (down_.empty() || !request_.on_body) return false;
  if (cancel_) {
    down_.clear();
    return false;
  }
  chunk_.swap(down_);
  // The next chunk fills while the sink works on this one.
  bool resume = recv_paused_;
  if (resume) want_unpause_ = true;
  lock.unlock();
  if (resume) poke();
  Status sunk;
  if (!head_taken_ && request_.on_head) {
    head_taken_ = true;
    sunk = request_.on_head(head_status_, head_headers_);  // head_* are set before down_ fills
  }
  if (sunk.ok()) sunk = request_.on_body(chunk_);
  chunk_.clear();
  lock.lock();
  if (!sunk.ok()) {
    CancelLocked(std::move(sunk));
    lock.unlock();
    poke();
    lock.lock();
  }
  return true;
}

bool Transfer::FillUpload(std::unique_lock<std::mutex>& lock, const std::function<void()>& poke) {
  if (!request_.body_reader || up_eof_ || cancel_ || done_) return false;
  if (up_.size() - up_sent_ >= kTransferBuffer) return false;
  up_.erase(0, up_sent_);
  up_sent_ = 0;
  lock.unlock();
  read_buffer_.resize(kReadChunk);
  Result<size_t> got = request_.body_reader(read_buffer_.data(), read_buffer_.size());
  int64_t expected = request_.body_size;
  // With the last announced byte in hand, the reader must be at its end: asked now, before
  // curl can send that byte, so a reader longer than announced fails the request whatever the
  // timing (up_read_ is this thread's alone).
  Result<size_t> beyond = size_t{0};
  if (got.ok() && *got > 0 && expected >= 0 && up_read_ + static_cast<int64_t>(*got) == expected) {
    char probe;
    beyond = request_.body_reader(&probe, 1);
  }
  lock.lock();
  if (!got.ok() || !beyond.ok()) {
    Status why = got.ok() ? beyond.status() : got.status();
    CancelLocked(why.WithContext("read the request body"));
  } else if (*beyond > 0) {
    CancelLocked(InvalidArgument("request body: more than the " + std::to_string(expected) +
                                 " bytes announced"));
  } else if (*got == 0) {
    up_eof_ = true;
    if (expected >= 0 && up_read_ != expected) {
      CancelLocked(InvalidArgument("request body: " + std::to_string(up_read_) + " bytes of " +
                                   std::to_string(expected)));
    }
  } else if (expected >= 0 && up_read_ + static_cast<int64_t>(*got) > expected) {
    CancelLocked(InvalidArgument("request body: more than the " + std::to_string(expected) +
                                 " bytes announced"));
  } else {
    up_read_ += static_cast<int64_t>(*got);
    up_.append(read_buffer_.data(), *got);
    if (up_read_ == expected) up_eof_ = true;  // the end was confirmed above
  }
  bool wake = cancel_ || send_paused_;
  if (send_paused_) want_unpause_ = true;
  if (wake) {
    lock.unlock();
    poke();
    lock.lock();
  }
  return true;
}

void Transfer::CancelLocked(Status why) {
  if (error_.ok()) error_ = std::move(why);
  cancel_ = true;
  down_.clear();
}

Transfer::Control Transfer::TakeControl() {
  std::lock_guard lock(mu_);
  Control control;
  control.cancel = cancel_;
  if (want_unpause_ && !cancel_) {
    want_unpause_ = false;
    if (recv_paused_ && down_.size() < kTransferBuffer) recv_paused_ = false;
    if (send_paused_ && (up_sent_ < up_.size() || up_eof_)) send_paused_ = false;
    control.unpause = true;
    control.pause_bits = (recv_paused_ ? CURLPAUSE_RECV : 0) | (send_paused_ ? CURLPAUSE_SEND : 0);
  }
  return control;
}

void Transfer::Finish(CURLcode code) {
  // Notified under the lock: once it is released the caller may return and destroy *this.
  std::lock_guard lock(mu_);
  code_ = code;
  done_ = true;
  cv_.notify_all();
}

void Transfer::Abandon(Status why) {
  std::lock_guard lock(mu_);
  if (error_.ok()) error_ = std::move(why);
  code_ = CURLE_ABORTED_BY_CALLBACK;
  done_ = true;
  cv_.notify_all();
}

Transfer::Info Transfer::info() const {
  Info info;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &info.connects);
  long version = 0;
  curl_easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &version);
  info.http2 = version == CURL_HTTP_VERSION_2_0;
  info.max_buffered = max_buffered_;
  return info;
}

Result<Response> Transfer::BuildResponse() {
  // done_ was seen under mu_: the loop thread no longer touches this transfer.
  if (!error_.ok()) return error_;
  if (code_ != CURLE_OK) return CurlError();
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  return std::move(response_);
}

Status Transfer::CurlError() const {
  std::string reason = error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code_);
  std::string what = request_.method + " " + UrlForMessages(request_.url) + ": " + reason;
  switch (code_) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgument(what);
    case CURLE_OPERATION_TIMEDOUT: {
      // The request's own deadline; a stall or a connect timeout is a failure to retry.
      curl_off_t spent_us = 0;
      curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &spent_us);
      curl_off_t deadline_us = curl_off_t{request_.timeout_seconds} * 900000;  // 90%: clocks
      if (request_.timeout_seconds > 0 && spent_us >= deadline_us) {
        return DeadlineExceeded(what);
      }
      return Unavailable(what);
    }
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: {
      // Trying again (or over plain HTTP) will not make the certificate trusted.
      std::string host = HostOf(request_.url);
      return FailedPrecondition(what + "; " + host +
                                ": the registry's certificate is not trusted: put its CA in "
                                "/etc/containers/certs.d/" +
                                host + "/ca.crt or pass --cert-dir DIR (or --tls-verify=false)");
    }
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
      // Our own files (ca.crt, client.cert/client.key): no retry mends them.
      return FailedPrecondition(what + " (check the certificate files of " + HostOf(request_.url) +
                                ": ca.crt, client.cert, client.key)");
    default:
      return Unavailable(what);
  }
}

}  // namespace kiln::registry
