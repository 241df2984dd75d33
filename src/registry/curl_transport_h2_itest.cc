// Blob downloads over one HTTP/2 connection to docker-registry (TLS, the test's own CA): many at
// once, each streamed to its own sink, and one whose sink fails resetting only its own stream.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "base/sha256.h"
#include "registry/curl_transport.h"
#include "registry/curl_transport_tls_util.h"

namespace kiln::registry {
namespace {

using tls_itest::PushBlob;
using tls_itest::StartTlsRegistry;
using tls_itest::TestBlob;
using tls_itest::TrustingRequest;

// GETs the blob, streaming it (a sink that starts slowly when `slow`: the stream pauses
// meanwhile, the others go on); the digest of what arrived (or the error).
Result<std::string> PullDigest(Transport& transport, const testing::RegistryServer& registry,
                               const std::string& repo, const std::string& digest,
                               bool slow = false) {
  Request get = TrustingRequest(registry, "/v2/" + repo + "/blobs/" + digest);
  Sha256 hash;
  bool first = true;
  get.on_body = [&](std::string_view chunk) {
    if (slow && first) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    first = false;
    hash.Update(chunk);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(Response response, transport.Do(get));
  if (response.status != 200) return Internal("status " + std::to_string(response.status));
  return "sha256:" + hash.HexDigest();
}

TEST(CurlTransportH2Test, ConcurrentBlobDownloadsShareOneConnection) {
  auto registry = StartTlsRegistry();
  ASSERT_TRUE(registry);
  CurlTransport transport;
  std::string digest = PushBlob(transport, *registry, "team/layers", TestBlob(size_t{6} << 20));
  ASSERT_FALSE(digest.empty());
  constexpr int kParallel = 6;
  std::vector<std::thread> threads;
  for (int i = 0; i < kParallel; ++i) {
    threads.emplace_back([&, i] {
      auto pulled = PullDigest(transport, *registry, "team/layers", digest, /*slow=*/i % 2 == 0);
      ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
      EXPECT_EQ(*pulled, digest);
    });
  }
  for (auto& t : threads) t.join();
  CurlTransport::Stats stats = transport.stats();
  EXPECT_EQ(stats.transfers, 2 + kParallel);
  EXPECT_EQ(stats.http2_transfers, stats.transfers);
  EXPECT_EQ(stats.connections, 1);
}

TEST(CurlTransportH2Test, SinkErrorResetsOnlyItsStream) {
  auto registry = StartTlsRegistry();
  ASSERT_TRUE(registry);
  CurlTransport transport;
  std::string digest = PushBlob(transport, *registry, "team/cut", TestBlob(size_t{8} << 20));
  ASSERT_FALSE(digest.empty());
  Request get = TrustingRequest(*registry, "/v2/team/cut/blobs/" + digest);
  get.on_body = [](std::string_view) { return DataLoss("digest mismatch"); };
  auto cut = transport.Do(get);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), Code::kDataLoss);
  auto whole = PullDigest(transport, *registry, "team/cut", digest);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(*whole, digest);
  EXPECT_EQ(transport.stats().connections, 1) << "the connection outlived the reset stream";
}

}  // namespace
}  // namespace kiln::registry
