// libFuzzer target: what a registry (or a config.json) says, as the client reads it. The input
// is split at NUL bytes into WWW-Authenticate header values, an error body, a config.json text
// and a host name. No input may crash; a secret planted in the config.json's `auth` value must
// never appear in an error; base64 must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth.h"
#include "registry/auth_file.h"
#include "registry/errors.h"

namespace {

std::vector<std::string> SplitAtNul(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\0') {
      parts.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln::registry;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts = SplitAtNul(input);
  parts.resize(std::max<size_t>(parts.size(), 4));

  std::vector<std::string> challenges(parts.begin(), parts.begin() + 1);
  for (const Challenge& c : ParseChallenges(challenges)) {
    for (const auto& [key, value] : c.params) {
      (void)value;
      for (char ch : key) {
        if (ch >= 'A' && ch <= 'Z') std::abort();  // keys are lower-cased
      }
    }
  }

  Response response;
  response.status = 400 + static_cast<int>(size % 200);
  response.body = parts[1];
  kiln::Status s = StatusFromResponse(response, "GET x");
  if (s.ok()) std::abort();

  // A leak is the secret in an error when the input never held it (an error may quote a key
  // or host the input gave, and the fuzzer may put the secret's text there itself).
  const std::string secret = "fuzz-secret-pw-7f3a";
  const bool planted_only = input.find(secret) == std::string_view::npos;
  auto leaks = [&](const kiln::Status& st) {
    return planted_only && st.message().find(secret) != std::string::npos;
  };
  std::string file_text = parts[2];
  auto config = ParseAuthFile(file_text, "config.json");
  if (config.ok()) {
    auto found = LookupAuth(*config, "config.json", parts[3]);
    if (!found.ok() && leaks(found.status())) std::abort();
  }
  // A config.json whose auth value holds the secret, malformed around it: errors never quote it.
  std::string planted = R"({"auths": {")" + parts[3] + R"(": {"auth": ")" +
                        Base64Encode("u:" + secret) + parts[2].substr(0, 8) + R"("}}})";
  auto parsed = ParseAuthFile(planted, "config.json");
  if (!parsed.ok() && leaks(parsed.status())) std::abort();
  if (parsed.ok()) {
    auto found = LookupAuth(*parsed, "config.json", parts[3]);
    if (!found.ok() && leaks(found.status())) std::abort();
  }

  auto round = Base64Decode(Base64Encode(input));
  if (!round || *round != input) std::abort();
  return 0;
}
