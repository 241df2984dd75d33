// Incremental SHA-256 (OpenSSL), the hash behind every digest kiln writes or checks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace kiln {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::string_view data);
  void Update(const void* data, size_t n) {
    Update(std::string_view(static_cast<const char*>(data), n));
  }
  // Lowercase hex of the digest. The hasher must not be updated afterwards.
  std::string HexDigest();

  // One-shot helper.
  static std::string Hex(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
