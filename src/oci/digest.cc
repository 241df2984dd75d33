#include "oci/digest.h"

#include "base/sha256.h"

namespace kiln::oci {

Result<Digest> Digest::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("digest \"" + std::string(text) + "\" has no algorithm");
  }
  std::string_view algo = text.substr(0, colon), hex = text.substr(colon + 1);
  size_t want = algo == "sha256" ? 64 : algo == "sha512" ? 128 : 0;
  if (want == 0)
    return InvalidArgument("unsupported digest algorithm \"" + std::string(algo) + "\"");
  bool hex_ok = hex.size() == want;
  for (char c : hex) hex_ok = hex_ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex_ok) return InvalidArgument("malformed digest \"" + std::string(text) + "\"");
  return Digest(std::string(text));
}

Digest Digest::FromData(std::string_view data) { return Digest("sha256:" + Sha256::Hex(data)); }

Digest Digest::Sha256Hex(std::string hex) { return Digest("sha256:" + hex); }

std::string_view Digest::algorithm() const {
  return std::string_view(text_).substr(0, text_.find(':'));
}

std::string_view Digest::hex() const {
  size_t colon = text_.find(':');
  return colon == std::string::npos ? std::string_view()
                                    : std::string_view(text_).substr(colon + 1);
}

std::string Digest::Short() const {
  return std::string(algorithm()) + ":" + std::string(hex().substr(0, 12));
}

}  // namespace kiln::oci
