// Helpers of the curl transport's TLS itests (header only: for *_itest.cc files).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "base/sha256.h"
#include "registry/transport.h"
#include "testing/registry_server.h"

namespace kiln::registry::tls_itest {

inline std::unique_ptr<testing::RegistryServer> StartTlsRegistry() {
  testing::RegistryOptions options;
  options.tls = true;
  auto registry = testing::RegistryServer::Start(options);
  EXPECT_TRUE(registry.ok()) << registry.status().ToString();
  return registry.ok() ? std::move(*registry) : nullptr;
}

// A request for registry.url() + path that trusts the registry's CA.
inline Request TrustingRequest(const testing::RegistryServer& registry, const std::string& path) {
  Request request;
  request.url = registry.url() + path;
  request.tls.ca_file = registry.ca_file();
  request.timeout_seconds = 120;  // a hang would be a bug: fail instead
  return request;
}

// `size` bytes that differ from offset to offset.
inline std::string TestBlob(size_t size) {
  std::string blob(size, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>((i * 7919) >> 11);
  return blob;
}

// Pushes `blob` into `repo` (POST, then one PUT from a body_reader); its digest, or "" after
// a test failure.
inline std::string PushBlob(Transport& transport, const testing::RegistryServer& registry,
                            const std::string& repo, const std::string& blob) {
  std::string digest = "sha256:" + Sha256::Hex(blob);
  Request start = TrustingRequest(registry, "/v2/" + repo + "/blobs/uploads/");
  start.method = "POST";
  auto started = transport.Do(start);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  if (!started.ok() || started->status != 202) return "";
  std::string location = started->Header("location");
  if (location.substr(0, 1) == "/") location = registry.url() + location;
  Request put = TrustingRequest(registry, "");
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
  put.headers = {{"Content-Type", "application/octet-stream"}};
  put.body_size = static_cast<int64_t>(blob.size());
  put.body_reader = [&, sent = size_t{0}](char* buf, size_t n) mutable {
    size_t len = std::min(n, blob.size() - sent);
    std::copy_n(blob.data() + sent, len, buf);
    sent += len;
    return Result<size_t>(len);
  };
  auto pushed = transport.Do(put);
  EXPECT_TRUE(pushed.ok()) << pushed.status().ToString();
  if (!pushed.ok()) return "";
  EXPECT_EQ(pushed->status, 201) << pushed->body;
  return pushed->status == 201 ? digest : "";
}

}  // namespace kiln::registry::tls_itest
