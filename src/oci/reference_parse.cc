// oci::Reference: parsing `[domain/]path[:tag][@digest]` by docker/distribution's grammar.
#include <string>

#include "oci/reference.h"

namespace kiln::oci {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// One DNS label: [A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9].
bool ValidLabel(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// host[:port], host = label(.label)* | "[" [0-9A-Fa-f:]+ "]". Empty when valid, else why not.
std::string DomainProblem(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos) return "has '[' without ']'";
    std::string_view ip = d.substr(1, close - 1);
    if (ip.empty()) return "has an empty IPv6 address";
    for (char c : ip) {
      if (!IsHex(c) && c != ':')
        return "has an IPv6 address with '" + std::string(1, c) + "' in it";
    }
    host = d.substr(0, close + 1);
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return "has text after the IPv6 address";
    if (!rest.empty()) port = rest.substr(1);
    if (!rest.empty() && port.empty()) return "has an empty port";
  } else {
    size_t colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty()) return "has an empty port";
    }
    for (size_t start = 0;;) {
      size_t dot = host.find('.', start);
      std::string_view label =
          host.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (!ValidLabel(label)) return "is not a host name (letters, digits and '-' between dots)";
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  for (char c : port) {
    if (!IsDigit(c)) return "has a port that is not a number";
  }
  return "";
}

// Whether the first component of a name is a registry host, as docker decides it.
bool LooksLikeDomain(std::string_view first) {
  if (first == "localhost") return true;
  for (char c : first) {
    if (c == '.' || c == ':' || IsUpper(c)) return true;
  }
  return false;
}

bool AllHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

Status ValidateTag(std::string_view tag) {
  if (tag.empty()) return InvalidArgument("tag is empty");
  if (tag.size() > kMaxTag)
    return InvalidArgument("tag is longer than " + std::to_string(kMaxTag) + " characters");
  if (!IsAlnum(tag.front()) && tag.front() != '_') {
    return InvalidArgument("tag \"" + std::string(tag) +
                           "\" must start with a letter, digit or '_'");
  }
  for (char c : tag) {
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '-') {
      return InvalidArgument("tag \"" + std::string(tag.substr(0, 80)) +
                             "\" may hold only letters, digits, '_', '.' and '-'");
    }
  }
  return Status::Ok();
}

Result<Reference> Reference::Parse(std::string_view text) {
  std::string shown(text.substr(0, 300));
  auto bad = [&](const std::string& why) {
    return InvalidArgument("reference \"" + shown + "\": " + why);
  };
  if (text.empty()) return bad("is empty");
  Reference ref;
  // A bare digest wins over reading "sha256:…" as repository "sha256" with a tag.
  if (text.find('@') == std::string_view::npos && text.find('/') == std::string_view::npos) {
    if (auto d = Digest::Parse(text); d.ok()) {
      ref.digest = *d;
      return ref;
    }
  }
  std::string_view name = text;
  if (size_t at = text.find('@'); at != std::string_view::npos) {
    auto d = Digest::Parse(text.substr(at + 1));
    if (!d.ok()) return bad(d.status().message());
    ref.digest = *d;
    name = text.substr(0, at);
    if (name.empty()) return bad("has a digest but no repository before '@'");
  }
  size_t last_slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(name.substr(colon + 1));
    if (Status s = ValidateTag(ref.tag); !s.ok()) return bad(s.message());
    name = name.substr(0, colon);
    if (name.empty()) return bad("has a tag but no repository before ':'");
  }
  size_t slash = name.find('/');
  if (slash != std::string_view::npos && LooksLikeDomain(name.substr(0, slash))) {
    ref.domain = std::string(name.substr(0, slash));
    if (std::string why = DomainProblem(ref.domain); !why.empty()) {
      return bad("registry host \"" + ref.domain + "\" " + why);
    }
    name = name.substr(slash + 1);
  }
  ref.path = std::string(name);
  for (char c : ref.path) {
    if (IsUpper(c)) return bad("repository must be lower case");
  }
  if (Status s = ValidateRepositoryName(ref.path); !s.ok()) return bad(s.message());
  if (ref.domain.empty() && AllHex64(ref.path)) {
    return bad("64 hex digits read as an image ID, not a repository (write sha256:" + ref.path +
               ")");
  }
  if (ref.Repository().size() > kMaxRepositoryName) {
    return bad("repository is longer than " + std::to_string(kMaxRepositoryName) + " bytes");
  }
  return ref;
}

std::string Reference::Repository() const { return domain.empty() ? path : domain + "/" + path; }

std::string Reference::ToString() const {
  if (IsDigestOnly()) return digest ? digest->str() : "";
  std::string out = Repository();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

Reference Reference::WithDefaultTag() const {
  Reference out = *this;
  if (!IsDigestOnly() && tag.empty() && !digest) out.tag = "latest";
  return out;
}

Result<Reference> Reference::WithRegistryDefaults() const {
  if (IsDigestOnly()) return *this;
  Reference out = WithDefaultTag();
  if (out.domain.empty() || out.domain == "index.docker.io") out.domain = "docker.io";
  if (out.domain == "docker.io" && out.path.find('/') == std::string::npos) {
    out.path = "library/" + out.path;
  }
  if (out.Repository().size() > kMaxRepositoryName) {
    return InvalidArgument("reference \"" + ToString().substr(0, 300) +
                           "\": " + out.Repository().substr(0, 40) + "… is longer than " +
                           std::to_string(kMaxRepositoryName) + " bytes");
  }
  return out;
}

}  // namespace kiln::oci
