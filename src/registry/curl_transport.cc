#include "registry/curl_transport.h"

#include <mutex>

#include "registry/curl_transfer.h"

namespace kiln::registry {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::unique_ptr<Transport> NewCurlTransport() { return std::make_unique<CurlTransport>(); }

CurlTransport::CurlTransport() {
  GlobalInitOnce();
  multi_ = curl_multi_init();
  if (!multi_) std::abort();  // out of memory
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  thread_ = std::thread([this] { Loop(); });
}

CurlTransport::~CurlTransport() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

Result<Response> CurlTransport::Do(const Request& request) {
  Transfer transfer(request);
  RETURN_IF_ERROR(transfer.Setup());
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Unavailable(request.method + " " + UrlForMessages(request.url) +
                                      ": the transport is shutting down");
    pending_.push_back(&transfer);
  }
  curl_multi_wakeup(multi_);
  Result<Response> response = transfer.Run([this] { Poke(); });
  Transfer::Info info = transfer.info();
  transfers_.fetch_add(1);
  connections_.fetch_add(info.connects);
  if (info.http2) http2_transfers_.fetch_add(1);
  int64_t buffered = static_cast<int64_t>(info.max_buffered);
  for (int64_t seen = max_buffered_.load(); buffered > seen;) {
    if (max_buffered_.compare_exchange_weak(seen, buffered)) break;
  }
  return response;
}

CurlTransport::Stats CurlTransport::stats() const {
  return {transfers_.load(), connections_.load(), http2_transfers_.load(), max_buffered_.load()};
}

void CurlTransport::Poke() {
  poked_.store(true);
  curl_multi_wakeup(multi_);
}

void CurlTransport::Loop() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    AddPending();
    if (poked_.exchange(false)) ApplyControls();
    int running = 0;
    curl_multi_perform(multi_, &running);
    ReapDone();
    // Returns on socket activity, a wakeup, or curl's own next timeout (capped here).
    curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
  AddPending();
  for (Transfer* transfer : active_) {
    curl_multi_remove_handle(multi_, transfer->easy());
    transfer->Abandon(Unavailable("the transport shut down"));
  }
  active_.clear();
}

void CurlTransport::AddPending() {
  std::vector<Transfer*> added;
  {
    std::lock_guard lock(mu_);
    added.swap(pending_);
  }
  for (Transfer* transfer : added) {
    CURLMcode code = curl_multi_add_handle(multi_, transfer->easy());
    if (code != CURLM_OK) {
      transfer->Abandon(Internal(std::string("curl_multi_add_handle: ") +
                                 curl_multi_strerror(code)));
      continue;
    }
    active_.insert(transfer);
  }
}

void CurlTransport::ApplyControls() {
  for (auto it = active_.begin(); it != active_.end();) {
    Transfer* transfer = *it;
    Transfer::Control control = transfer->TakeControl();
    if (control.cancel) {
      it = active_.erase(it);
      curl_multi_remove_handle(multi_, transfer->easy());
      transfer->Finish(CURLE_ABORTED_BY_CALLBACK);  // its error is the caller's reason
      continue;
    }
    // May call the transfer's callbacks at once (no lock of ours is held here).
    if (control.unpause) curl_easy_pause(transfer->easy(), control.pause_bits);
    ++it;
  }
}

void CurlTransport::ReapDone() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode code = message->data.result;  // read before the handle is removed
    Transfer* transfer = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
    curl_multi_remove_handle(multi_, easy);
    active_.erase(transfer);
    transfer->Finish(code);
  }
}

}  // namespace kiln::registry
