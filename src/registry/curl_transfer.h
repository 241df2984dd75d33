// One request on the curl transport (curl_transport.cc): its easy handle, the callbacks libcurl
// calls on the loop thread, and the bounded buffers between them and the calling thread.
//
// Threads: Setup(), Run() and Finish()'s result run on the calling thread; OnWrite, OnRead,
// OnHeader, TakeControl() and Finish() on the loop thread. State both sides touch is guarded by
// mu_; the response's headers and collected body are the loop thread's until Finish().
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "registry/transport.h"

namespace kiln::registry {

// At most this many body bytes wait in each direction of a transfer (a streamed download holds
// up to twice this: the chunk the sink is working on and the next one filling up).
inline constexpr size_t kTransferBuffer = size_t{2} << 20;

// `url` fit for an error message: without user info and query (a signed storage URL carries
// its signature there).
std::string UrlForMessages(const std::string& url);

class Transfer {
 public:
  explicit Transfer(const Request& request);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Makes the easy handle for the request (before the loop thread sees it).
  Status Setup();
  CURL* easy() const { return easy_; }

  // Calling thread: feeds body_reader and drains on_body until the loop thread calls Finish(),
  // then returns the response. `poke` wakes the loop thread to look at TakeControl().
  Result<Response> Run(const std::function<void()>& poke);

  // Loop thread: what the calling thread asked for since the last call.
  struct Control {
    bool cancel = false;     // remove the transfer (Finish follows)
    bool unpause = false;    // call curl_easy_pause(easy, pause_bits)
    int pause_bits = 0;
  };
  Control TakeControl();
  // Loop thread, after curl_multi_remove_handle: the transfer is over (`code` is curl's).
  // The Transfer may be destroyed by its caller as soon as this returns.
  void Finish(CURLcode code);
  // Loop thread: ends a transfer the transport gives up on (shutting down).
  void Abandon(Status why);

  // After Run: what the transfer cost, for CurlTransport's counters.
  struct Info {
    long connects = 0;  // new connections it made
    bool http2 = false;
    size_t max_buffered = 0;  // most body bytes waiting for the sink at once
  };
  Info info() const;

 private:
  static size_t OnWrite(char* data, size_t size, size_t n, void* self);
  static size_t OnRead(char* data, size_t size, size_t n, void* self);
  static size_t OnReadMemory(char* data, size_t size, size_t n, void* self);
  static int OnSeekMemory(void* self, curl_off_t offset, int origin);
  static size_t OnHeader(char* data, size_t size, size_t n, void* self);
  void SetMethodAndBody();
  void SetTls();
  // Calling thread, mu_ held (released around the sink and the reader): one step of Run, false
  // when there was nothing to do.
  bool DeliverBody(std::unique_lock<std::mutex>& lock, const std::function<void()>& poke);
  bool FillUpload(std::unique_lock<std::mutex>& lock, const std::function<void()>& poke);
  // mu_ held: stops the transfer with `why` (the first reason wins); the caller pokes.
  void CancelLocked(Status why);
  Result<Response> BuildResponse();
  Status CurlError() const;

  const Request& request_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  size_t memory_sent_ = 0;  // of request_.body (loop thread)
  Response response_;       // headers, collected body (loop thread until done_)
  std::string chunk_;       // the chunk on_body is working on (calling thread)
  std::string read_buffer_; // body_reader's buffer (calling thread)

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::string down_;           // body bytes for on_body
  // For on_head: the status and headers, set with the first body byte (loop thread); whether
  // on_head was called (calling thread).
  int head_status_ = 0;
  std::multimap<std::string, std::string> head_headers_;
  bool head_taken_ = false;
  size_t max_buffered_ = 0;
  std::string up_;             // bytes from body_reader not yet sent
  size_t up_sent_ = 0;         // of up_
  int64_t up_read_ = 0;        // bytes body_reader gave in all
  bool up_eof_ = false;
  bool recv_paused_ = false, send_paused_ = false;
  bool want_unpause_ = false, cancel_ = false;
  Status error_;               // why the transfer was cut short by kiln's side
  bool done_ = false;
  CURLcode code_ = CURLE_OK;
};

}  // namespace kiln::registry
