// Pieces shared by fake_registry.cc (routing, auth, faults) and fake_registry_api.cc (the
// distribution endpoints). Not part of the fake's contract.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "registry/fake_registry.h"

namespace kiln::registry {

struct FakeRegistry::Repo {
  std::string name;
  std::set<oci::Digest> blobs;
  struct Stored {
    std::string media_type, bytes;
  };
  std::map<oci::Digest, Stored> manifests;
  std::map<std::string, oci::Digest> tags;
};

struct FakeRegistry::Upload {
  std::string repo;
  std::string bytes;
};

struct FakeRegistry::Call {
  const Request& request;
  std::string method, host, path;
  std::multimap<std::string, std::string> query;  // decoded
  std::set<std::string> granted;                  // "repo:action" of the bearer token
  bool cut = false;                               // the request body was cut (ReadBody)
  bool blob = false;                              // the response body is a blob's
  bool sent = false;                              // SendBody has delivered the response
  std::string Header(std::string_view name) const;
  std::string Query(const std::string& name) const;
};

// The decimal number `s` starts with, or `fallback`.
uint64_t LeadingNumber(std::string_view s, uint64_t fallback);

// {"errors": [{"code", "message"}]} with `status`.
Response ErrorResponse(int status, const std::string& code, const std::string& message);

}  // namespace kiln::registry
