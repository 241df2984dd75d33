#include "base/sha256.h"

// OpenSSL's direct SHA-256 functions (deprecated in 3.0, not removed): the same assembly as the
// EVP interface, without EVP's first-use cost of reading openssl.cnf and starting its default
// provider, ~2 ms of every kiln start (each start verifies an image's manifest and config).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace kiln {

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { SHA256_Init(&impl_->ctx); }
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(std::string_view data) { SHA256_Update(&impl_->ctx, data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  constexpr unsigned len = SHA256_DIGEST_LENGTH;
  SHA256_Final(md, &impl_->ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Sha256::Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

}  // namespace kiln
