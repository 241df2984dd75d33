#include "base/escape.h"

#include <cstdint>

namespace kiln {
namespace {

// Length of the valid UTF-8 sequence at s[i] (2–4), or 0 if there is none.
size_t Utf8Length(std::string_view s, size_t i, uint32_t* code) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  size_t n = b >= 0xF0 && b <= 0xF4   ? 4
             : b >= 0xE0 && b <= 0xEF ? 3
             : b >= 0xC2 && b <= 0xDF ? 2
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t c = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid.
  if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
      (c >= 0xD800 && c <= 0xDFFF)) {
    return 0;
  }
  *code = c;
  return n;
}

void AppendHex(std::string& out, unsigned char b) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

}  // namespace

std::string EscapeForTerminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      if (b == '\\') out += '\\';
      out += static_cast<char>(b);
      ++i;
    } else if (b == '\t' || b == '\n' || b == '\r') {
      out += b == '\t' ? "\\t" : b == '\n' ? "\\n" : "\\r";
      ++i;
    } else if (uint32_t code = 0; b >= 0x80 && Utf8Length(s, i, &code) > 0) {
      size_t n = Utf8Length(s, i, &code);
      if (code >= 0x80 && code <= 0x9F) {
        for (size_t k = 0; k < n; ++k) AppendHex(out, static_cast<unsigned char>(s[i + k]));
      } else {
        out.append(s.substr(i, n));
      }
      i += n;
    } else {
      AppendHex(out, b);
      ++i;
    }
  }
  return out;
}

}  // namespace kiln
