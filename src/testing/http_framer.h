// Follows one direction of an HTTP/1.1 connection message by message, for FaultProxy: finds
// each head, frames each body (Content-Length, chunked, until close, none) and lets a plan cut
// the body after N bytes or flip one of its bytes on the way through.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace kiln::testing {

class HttpFramer {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  enum class Framing { kEmpty, kLength, kChunked, kUntilClose };
  struct Head {
    std::string method, path;  // Requests.
    int status = 0;            // Responses.
    Framing framing = Framing::kEmpty;
    size_t length = 0;  // For kLength.
  };
  struct Plan {
    size_t cut_after = kNone;  // Stop after this many body bytes (when the body is longer).
    size_t flip_at = kNone;    // Flip the body byte at this offset.
  };
  // `on_head` sees each parsed head (it may set framing to kEmpty, e.g. for a HEAD's response)
  // and returns the plan for its body.
  HttpFramer(bool responses, std::function<Plan(Head&)> on_head)
      : responses_(responses), on_head_(std::move(on_head)) {}

  // Appends to `out` the bytes of `in` to forward. Returns false when a cut happens here (`out`
  // then ends at the cut; nothing more may be forwarded on this connection).
  bool Feed(std::string_view in, std::string* out);

 private:
  enum class State { kHead, kData, kChunkLine, kChunkEnd, kTrailer };
  void LineDone(std::string* out);
  void HeadDone(std::string* out);
  bool Data(std::string_view& in, std::string* out);

  bool responses_;
  std::function<Plan(Head&)> on_head_;
  State state_ = State::kHead;
  std::string line_, head_;
  bool chunked_ = false;
  size_t remaining_ = 0;  // kNone: until close.
  size_t body_offset_ = 0;
  Plan plan_;
};

}  // namespace kiln::testing
