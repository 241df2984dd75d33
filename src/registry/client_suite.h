// One suite of Client behaviour, run on the fake registry (client_test.cc) and on Debian's
// docker-registry over the curl transport (client_itest.cc). A test file defines
// MakeClientSuiteEnv() and instantiates ClientSuite with the auth modes it can serve.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "registry/client.h"
#include "testing/test_env.h"

namespace kiln::registry {

// Credentials from a map, for tests.
class StaticCredentials : public CredentialSource {
 public:
  std::map<std::string, Credentials> by_host;
  Result<std::optional<Credentials>> For(const std::string& host) override {
    auto it = by_host.find(host);
    if (it == by_host.end()) return std::optional<Credentials>();
    return std::optional<Credentials>(it->second);
  }
};

enum class SuiteAuth { kOpen, kBasic, kBearer };
std::string SuiteAuthName(SuiteAuth auth);

struct ClientSuiteEnv {
  std::string host;
  std::shared_ptr<void> keep;  // the registry, its transport: whatever must outlive the test
  Transport* transport = nullptr;
  Credentials credentials;  // for `host` (empty username: anonymous)
  HostOptions host_options;
};

// Implemented by each test file.
ClientSuiteEnv MakeClientSuiteEnv(SuiteAuth auth, const testing::ScratchDir& dir);

class ClientSuite : public ::testing::TestWithParam<SuiteAuth> {
 protected:
  void SetUp() override;
  // A client of the suite's registry with the right credentials.
  std::unique_ptr<Client> NewClient();
  // Pushes `bytes` as a blob of `repo` (monolithic, or in chunks of `chunk_size`).
  oci::Descriptor PushBytes(const std::string& repo, const std::string& bytes,
                            int64_t chunk_size = 0);
  // Pushes a config and one layer, then a manifest for them under `tag`; returns the manifest.
  struct Pushed {
    oci::Descriptor manifest, config, layer;
    std::string manifest_bytes;
  };
  Pushed PushImage(const std::string& repo, const std::string& tag, const std::string& layer);
  std::string GetAll(const std::string& repo, const oci::Descriptor& blob);

  testing::ScratchDir dir_;
  ClientSuiteEnv env_;
  StaticCredentials credentials_;
  std::unique_ptr<Client> client_;
};

}  // namespace kiln::registry
