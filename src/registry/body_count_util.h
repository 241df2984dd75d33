// A Transport for the upload tests (header only: for *_test.cc and *_itest.cc files) that
// passes requests on and counts the request-body bytes each one pulled from its body_reader
// (or carried in its body): what a push really sent, cut requests included.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "registry/transport.h"

namespace kiln::registry {

class BodyCounter : public Transport {
 public:
  struct Sent {
    std::string method, url;
    int64_t bytes = 0;
    bool failed = false;  // below HTTP (a cut)
  };
  explicit BodyCounter(Transport* inner) : inner_(inner) {}

  Result<Response> Do(const Request& request) override {
    Request copy = request;
    auto pulled = std::make_shared<int64_t>(0);
    if (request.body_reader) {
      copy.body_reader = [pulled, reader = request.body_reader](char* buf,
                                                                size_t n) -> Result<size_t> {
        Result<size_t> got = reader(buf, n);
        if (got.ok()) *pulled += static_cast<int64_t>(*got);
        return got;
      };
    } else {
      *pulled = static_cast<int64_t>(request.body.size());
    }
    Result<Response> r = inner_->Do(copy);
    std::lock_guard lock(mu_);
    sent_.push_back({request.method, request.url, *pulled, !r.ok()});
    return r;
  }
  std::vector<Sent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // Body bytes of every request so far.
  int64_t Total() const {
    int64_t n = 0;
    for (const Sent& s : sent()) n += s.bytes;
    return n;
  }
  // Body bytes of the requests after the first one cut: failed below HTTP with body bytes sent
  // (0 when none was).
  int64_t AfterFirstCut() const {
    int64_t n = 0;
    bool cut = false;
    for (const Sent& s : sent()) {
      if (cut) n += s.bytes;
      cut = cut || (s.failed && s.bytes > 0);
    }
    return n;
  }
  // Requests answered (not failed below HTTP) whose method is `method` and whose URL holds
  // `part`.
  int Count(const std::string& method, const std::string& part) const {
    int n = 0;
    for (const Sent& s : sent()) {
      n += !s.failed && s.method == method && s.url.find(part) != std::string::npos;
    }
    return n;
  }

 private:
  Transport* inner_;
  mutable std::mutex mu_;
  std::vector<Sent> sent_;
};

}  // namespace kiln::registry
