// The curl transport against Debian's docker-registry over TLS with the test's own CA
// (testing/registry_server.h): HTTP/2 by ALPN, parallel requests multiplexed on one connection,
// and a blob pushed from a body_reader and streamed back to a slow sink over HTTP/2.
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <thread>

#include "registry/curl_transfer.h"
#include "registry/curl_transport.h"
#include "registry/curl_transport_tls_util.h"

namespace kiln::registry {
namespace {

using tls_itest::PushBlob;
using tls_itest::StartTlsRegistry;
using tls_itest::TestBlob;
using tls_itest::TrustingRequest;

TEST(CurlTransportTlsTest, ParallelRequestsShareOneHttp2Connection) {
  auto registry = StartTlsRegistry();
  ASSERT_TRUE(registry);
  CurlTransport transport;
  constexpr int kParallel = 8;
  for (int round = 0; round < 2; ++round) {
    std::latch start(kParallel);
    std::vector<std::thread> threads;
    for (int i = 0; i < kParallel; ++i) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        auto response = transport.Do(TrustingRequest(*registry, "/v2/"));
        ASSERT_TRUE(response.ok()) << response.status().ToString();
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->Header("docker-distribution-api-version"), "registry/2.0");
      });
    }
    for (auto& t : threads) t.join();
  }
  CurlTransport::Stats stats = transport.stats();
  EXPECT_EQ(stats.transfers, 2 * kParallel);
  EXPECT_EQ(stats.http2_transfers, 2 * kParallel);
  EXPECT_EQ(stats.connections, 1);
}

TEST(CurlTransportTlsTest, UntrustedCertificateIsFailedPreconditionUnlessVerifyIsOff) {
  auto registry = StartTlsRegistry();
  ASSERT_TRUE(registry);
  CurlTransport transport;
  Request request = TrustingRequest(*registry, "/v2/");
  request.tls.ca_file = "";
  auto refused = transport.Do(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(
      refused.status().message().find(registry->host() +
                                      ": the registry's certificate is not trusted: put its CA in "
                                      "/etc/containers/certs.d/" +
                                      registry->host() + "/ca.crt or pass --cert-dir DIR"),
      std::string::npos)
      << refused.status().message();
  request.tls.verify = false;
  auto insecure = transport.Do(request);
  ASSERT_TRUE(insecure.ok()) << insecure.status().ToString();
  EXPECT_EQ(insecure->status, 200);
}

TEST(CurlTransportTlsTest, BlobUpAndDownOverHttp2) {
  auto registry = StartTlsRegistry();
  ASSERT_TRUE(registry);
  CurlTransport transport;
  std::string blob = TestBlob(size_t{24} << 20);
  std::string digest = PushBlob(transport, *registry, "team/blob", blob);
  ASSERT_FALSE(digest.empty());

  Request get = TrustingRequest(*registry, "/v2/team/blob/blobs/" + digest);
  Sha256 hash;
  int64_t received = 0, calls = 0;
  get.on_body = [&](std::string_view chunk) {
    // A slow start: the stream is paused meanwhile (not needed for the test to pass).
    if (calls++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    hash.Update(chunk);
    received += static_cast<int64_t>(chunk.size());
    return Status::Ok();
  };
  auto pulled = transport.Do(get);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->status, 200);
  EXPECT_EQ(received, static_cast<int64_t>(blob.size()));
  EXPECT_EQ("sha256:" + hash.HexDigest(), digest);
  CurlTransport::Stats stats = transport.stats();
  EXPECT_EQ(stats.http2_transfers, stats.transfers);
  EXPECT_LE(stats.max_buffered, static_cast<int64_t>(kTransferBuffer + (512 << 10)));
}

}  // namespace
}  // namespace kiln::registry
