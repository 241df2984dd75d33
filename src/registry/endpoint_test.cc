#include "registry/endpoint.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::registry {
namespace {

HostOptions Options(const std::string& certs_d_root, bool insecure = false,
                    const std::string& cert_dir = "") {
  HostOptions options;
  options.insecure = insecure;
  options.cert_dir = cert_dir;
  options.certs_d_root = certs_d_root;
  return options;
}

TEST(IsLoopbackHostTest, LoopbackNames) {
  for (const char* host : {"localhost", "localhost:5000", "LocalHost:80", "127.0.0.1",
                           "127.0.0.1:5000", "127.255.3.4:1", "[::1]", "[::1]:5000"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
}

TEST(IsLoopbackHostTest, OtherNames) {
  for (const char* host :
       {"", "quay.io", "docker.io", "localhost.example.com", "mylocalhost", "128.0.0.1",
        "10.0.0.1:5000", "127.0.0.1.nip.io", "127.0.0.1:", "127.0.0.1:http", "localhost:5000x",
        "[::2]", "[::1", "[::1]5000", "[::1]:", "::1", "127.1", "0x7f.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(EndpointForTest, RemoteHostIsHttpsOnlyAndVerified) {
  testing::ScratchDir dir;
  Endpoint e = EndpointFor("quay.io", Options(dir.path()));
  EXPECT_EQ(e.https_base, "https://quay.io");
  EXPECT_EQ(e.http_base, "");
  EXPECT_TRUE(e.tls.verify);
  EXPECT_EQ(e.tls.ca_file, "");
  EXPECT_EQ(e.tls.client_cert, "");
}

TEST(EndpointForTest, LoopbackOffersPlainHttpButStillVerifiesTls) {
  testing::ScratchDir dir;
  Endpoint e = EndpointFor("127.0.0.1:5000", Options(dir.path()));
  EXPECT_EQ(e.https_base, "https://127.0.0.1:5000");
  EXPECT_EQ(e.http_base, "http://127.0.0.1:5000");
  EXPECT_TRUE(e.tls.verify);
}

TEST(EndpointForTest, InsecureHostSkipsVerificationAndAllowsHttp) {
  testing::ScratchDir dir;
  Endpoint e =
      EndpointFor("registry.lan:5000", Options(dir.path(), true));
  EXPECT_EQ(e.https_base, "https://registry.lan:5000");
  EXPECT_EQ(e.http_base, "http://registry.lan:5000");
  EXPECT_FALSE(e.tls.verify);
}

TEST(EndpointForTest, DockerHubIsServedByRegistry1) {
  for (const char* host : {"docker.io", "index.docker.io"}) {
    Endpoint e = EndpointFor(host, Options(""));
    EXPECT_EQ(e.https_base, "https://registry-1.docker.io") << host;
    EXPECT_EQ(e.http_base, "") << host;
  }
}

TEST(EndpointForTest, CertsDirOfTheHostWithPort) {
  testing::ScratchDir root;
  std::string dir = root.Sub("127.0.0.1:5000");
  ASSERT_TRUE(MakeDirs(dir).ok());
  for (const char* name : {"ca.crt", "client.cert", "client.key"}) {
    ASSERT_TRUE(WriteFileAtomic(JoinPath(dir, name), "pem").ok());
  }
  Endpoint e = EndpointFor("127.0.0.1:5000", Options(root.path()));
  EXPECT_EQ(e.tls.ca_file, dir + "/ca.crt");
  EXPECT_EQ(e.tls.client_cert, dir + "/client.cert");
  EXPECT_EQ(e.tls.client_key, dir + "/client.key");
  // The same host on another port has a directory of its own (none here).
  Endpoint other = EndpointFor("127.0.0.1:5001", Options(root.path()));
  EXPECT_EQ(other.tls.ca_file, "");
}

TEST(EndpointForTest, ClientCertNeedsItsKey) {
  testing::ScratchDir root;
  ASSERT_TRUE(MakeDirs(root.Sub("h:1")).ok());
  ASSERT_TRUE(WriteFileAtomic(root.Sub("h:1/client.cert"), "pem").ok());
  Endpoint e = EndpointFor("h:1", Options(root.path()));
  EXPECT_EQ(e.tls.client_cert, "");
  EXPECT_EQ(e.tls.client_key, "");
  EXPECT_EQ(e.tls.ca_file, "");
}

TEST(EndpointForTest, CertDirOverridesCertsD) {
  testing::ScratchDir root, mine;
  ASSERT_TRUE(MakeDirs(root.Sub("h:1")).ok());
  ASSERT_TRUE(WriteFileAtomic(root.Sub("h:1/ca.crt"), "pem").ok());
  ASSERT_TRUE(WriteFileAtomic(mine.Sub("ca.crt"), "pem").ok());
  Endpoint e = EndpointFor("h:1", Options(root.path(), false, mine.path()));
  EXPECT_EQ(e.tls.ca_file, mine.Sub("ca.crt"));
  // A cert dir without a CA does not fall back to certs.d.
  testing::ScratchDir empty;
  e = EndpointFor("h:1", Options(root.path(), false, empty.path()));
  EXPECT_EQ(e.tls.ca_file, "");
}

TEST(EndpointForTest, HostNeverLeavesCertsD) {
  testing::ScratchDir root;
  ASSERT_TRUE(WriteFileAtomic(root.Sub("ca.crt"), "pem").ok());
  for (const char* host : {"..", ".", "a/..", ""}) {
    ASSERT_TRUE(MakeDirs(root.Sub("sub")).ok());
    Endpoint e = EndpointFor(host, Options(root.Sub("sub")));
    EXPECT_EQ(e.tls.ca_file, "") << host;
  }
}

}  // namespace
}  // namespace kiln::registry
