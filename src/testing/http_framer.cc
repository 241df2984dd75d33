#include "testing/http_framer.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace kiln::testing {
namespace {

// The value of header `name` (case-insensitive) in `head`, or "" when absent.
std::string HeaderValue(const std::string& head, const char* name) {
  size_t name_len = std::char_traits<char>::length(name);
  size_t pos = head.find('\n');
  while (pos != std::string::npos && pos + 1 < head.size()) {
    size_t start = pos + 1;
    size_t end = head.find('\n', start);
    if (end == std::string::npos) end = head.size();
    if (end - start > name_len && head[start + name_len] == ':' &&
        ::strncasecmp(head.c_str() + start, name, name_len) == 0) {
      std::string v = head.substr(start + name_len + 1, end - start - name_len - 1);
      v.erase(0, v.find_first_not_of(" \t"));
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
      return v;
    }
    pos = end;
  }
  return "";
}

}  // namespace

bool HttpFramer::Feed(std::string_view in, std::string* out) {
  while (!in.empty()) {
    if (state_ == State::kData) {
      if (!Data(in, out)) return false;
      continue;
    }
    if (state_ == State::kHead && head_.empty() && line_.empty() &&
        !std::isalpha(static_cast<unsigned char>(in[0])) && in[0] != '\r' && in[0] != '\n') {
      out->append(in);  // not HTTP (a TLS hello to a plain port): the other end refuses it
      return true;
    }
    size_t nl = in.find('\n');
    size_t take = nl == std::string_view::npos ? in.size() : nl + 1;
    line_.append(in.substr(0, take));
    in.remove_prefix(take);
    if (nl != std::string_view::npos) LineDone(out);
  }
  return true;
}

void HttpFramer::LineDone(std::string* out) {
  bool empty = line_ == "\r\n" || line_ == "\n";
  switch (state_) {
    case State::kHead:
      head_ += line_;
      if (empty && head_.size() > line_.size()) HeadDone(out);
      if (empty && head_.size() == line_.size()) {  // A stray CRLF between messages.
        out->append(head_);
        head_.clear();
      }
      break;
    case State::kChunkLine:
      out->append(line_);
      remaining_ = std::strtoul(line_.c_str(), nullptr, 16);
      state_ = remaining_ == 0 ? State::kTrailer : State::kData;
      break;
    case State::kChunkEnd:
      out->append(line_);
      state_ = State::kChunkLine;
      break;
    case State::kTrailer:
      out->append(line_);
      if (empty) state_ = State::kHead;
      break;
    case State::kData:
      break;
  }
  line_.clear();
}

void HttpFramer::HeadDone(std::string* out) {
  out->append(head_);
  Head h;
  std::string first = head_.substr(0, head_.find('\n'));
  size_t sp1 = first.find(' ');
  size_t sp2 = sp1 == std::string::npos ? std::string::npos : first.find(' ', sp1 + 1);
  std::string a = first.substr(0, sp1);
  std::string b = sp1 == std::string::npos ? "" : first.substr(sp1 + 1, sp2 - sp1 - 1);
  if (responses_) {
    h.status = std::atoi(b.c_str());
  } else {
    h.method = a;
    h.path = b;
  }
  std::string te = HeaderValue(head_, "Transfer-Encoding");
  std::string cl = HeaderValue(head_, "Content-Length");
  if (responses_ && (h.status < 200 || h.status == 204 || h.status == 304)) {
    h.framing = Framing::kEmpty;
  } else if (te.find("chunked") != std::string::npos) {
    h.framing = Framing::kChunked;
  } else if (!cl.empty()) {
    h.framing = Framing::kLength;
    h.length = std::strtoull(cl.c_str(), nullptr, 10);
  } else {
    h.framing = responses_ ? Framing::kUntilClose : Framing::kEmpty;
  }
  head_.clear();
  plan_ = on_head_(h);
  body_offset_ = 0;
  chunked_ = h.framing == Framing::kChunked;
  switch (h.framing) {
    case Framing::kEmpty:
      state_ = State::kHead;
      break;
    case Framing::kLength:
      remaining_ = h.length;
      state_ = h.length == 0 ? State::kHead : State::kData;
      break;
    case Framing::kChunked:
      state_ = State::kChunkLine;
      break;
    case Framing::kUntilClose:
      remaining_ = kNone;
      state_ = State::kData;
      break;
  }
}

bool HttpFramer::Data(std::string_view& in, std::string* out) {
  size_t take = remaining_ == kNone ? in.size() : std::min(in.size(), remaining_);
  bool cut = plan_.cut_after != kNone && body_offset_ + take > plan_.cut_after;
  if (cut) take = plan_.cut_after - body_offset_;
  size_t at = out->size();
  out->append(in.substr(0, take));
  if (plan_.flip_at != kNone && plan_.flip_at >= body_offset_ &&
      plan_.flip_at < body_offset_ + take) {
    (*out)[at + plan_.flip_at - body_offset_] ^= 0x01;
  }
  if (cut) return false;
  in.remove_prefix(take);
  body_offset_ += take;
  if (remaining_ != kNone) {
    remaining_ -= take;
    if (remaining_ == 0) state_ = chunked_ ? State::kChunkEnd : State::kHead;
  }
  return true;
}

}  // namespace kiln::testing
