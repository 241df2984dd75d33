// Content digests ("sha256:<64 hex>"), the names of every blob.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace kiln::oci {

class Digest {
 public:
  Digest() = default;
  // Validates "sha256:<64 lowercase hex>" (the only algorithm kiln writes; "sha512:" with 128 hex
  // is accepted for reading). InvalidArgument otherwise.
  static Result<Digest> Parse(std::string_view text);
  // sha256 digest of `data`.
  static Digest FromData(std::string_view data);
  // From an already computed lowercase sha256 hex string (no validation beyond length).
  static Digest Sha256Hex(std::string hex);

  const std::string& str() const { return text_; }
  std::string_view algorithm() const;
  std::string_view hex() const;
  // "sha256:ab12cd34ef56" for people.
  std::string Short() const;
  bool empty() const { return text_.empty(); }

  friend bool operator==(const Digest&, const Digest&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 in the defaulted <=>
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace kiln::oci
