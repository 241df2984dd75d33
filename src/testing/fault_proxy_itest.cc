// FaultProxy in front of a real registry: it passes traffic through unchanged, keeps
// connections alive, and injects each fault once where asked.
#include <gtest/gtest.h>

#include "base/sha256.h"
#include "testing/curl_client.h"
#include "testing/fault_proxy.h"
#include "testing/registry_server.h"

namespace kiln::testing {
namespace {

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = RegistryServer::Start();
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
    auto proxy = FaultProxy::Start(reg_->port());
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(*proxy);
    url_ = "http://" + proxy_->host();
    curl_.ForceHttp11();
  }
  // 100 KB that are not all the same byte.
  static std::string Payload() {
    std::string data;
    for (int i = 0; data.size() < 100 * 1024; ++i) data += std::to_string(i * 7919) + ",";
    return data;
  }
  std::unique_ptr<RegistryServer> reg_;
  std::unique_ptr<FaultProxy> proxy_;
  std::string url_;
  CurlClient curl_;
};

TEST_F(FaultProxyTest, PassesBlobsThroughUnchanged) {
  std::string data = Payload();
  std::string digest = PushBlob(curl_, url_, "t/pass", data);
  ASSERT_FALSE(digest.empty());
  auto head = curl_.Head(url_ + "/v2/t/pass/blobs/" + digest);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(data.size()));
  auto get = curl_.Get(url_ + "/v2/t/pass/blobs/" + digest);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, data);
  EXPECT_EQ(proxy_->uploads_cut() + proxy_->responses_cut() + proxy_->blobs_corrupted(), 0);
  EXPECT_GE(proxy_->connections(), 3);
}

TEST_F(FaultProxyTest, FlipsOneByteOfEachBlobWhileOn) {
  std::string data = Payload();
  std::string digest = PushBlob(curl_, url_, "t/flip", data);
  ASSERT_FALSE(digest.empty());
  proxy_->CorruptBlobs(true);
  auto bad = curl_.Get(url_ + "/v2/t/flip/blobs/" + digest);
  EXPECT_EQ(bad.status, 200);
  ASSERT_EQ(bad.body.size(), data.size());
  EXPECT_NE("sha256:" + Sha256::Hex(bad.body), digest);
  size_t differing = 0;
  for (size_t i = 0; i < data.size(); ++i) differing += bad.body[i] != data[i] ? 1 : 0;
  EXPECT_EQ(differing, 1u);
  EXPECT_EQ(proxy_->blobs_corrupted(), 1);
  proxy_->CorruptBlobs(false);
  EXPECT_EQ(curl_.Get(url_ + "/v2/t/flip/blobs/" + digest).body, data);
}

TEST_F(FaultProxyTest, CutsOneResponseMidBody) {
  std::string data = Payload();
  std::string digest = PushBlob(curl_, url_, "t/cut", data);
  ASSERT_FALSE(digest.empty());
  proxy_->CutNextResponseAfter(1000);
  auto cut = curl_.Get(url_ + "/v2/t/cut/blobs/" + digest);
  EXPECT_NE(cut.curl_exit, 0);
  EXPECT_EQ(cut.body, data.substr(0, 1000));
  EXPECT_EQ(proxy_->responses_cut(), 1);
  EXPECT_EQ(curl_.Get(url_ + "/v2/t/cut/blobs/" + digest).body, data);  // Once only.
}

// Distribution 2.8 keeps the bytes of a cut PATCH, so the session's offset no longer matches
// its state token and it cancels the session at the next request: a client recovers by
// starting that blob's upload again.
TEST_F(FaultProxyTest, CutsOneUploadMidBodyAndANewUploadSucceeds) {
  std::string data = Payload();
  auto start = curl_.Post(url_ + "/v2/t/up/blobs/uploads/", "");
  ASSERT_EQ(start.status, 202) << start.headers;
  std::string location = start.Header("Location");
  ASSERT_FALSE(location.empty());
  proxy_->CutNextUploadAfter(40000);
  auto cut = curl_.Patch(location, data);
  EXPECT_EQ(cut.status, 0);
  EXPECT_EQ(proxy_->uploads_cut(), 1);
  auto stale = curl_.Get(location);
  EXPECT_EQ(stale.status, 404);
  EXPECT_NE(stale.body.find("BLOB_UPLOAD_INVALID"), std::string::npos) << stale.body;
  std::string digest = PushBlob(curl_, url_, "t/up", data);  // Once: not cut again.
  EXPECT_EQ(proxy_->uploads_cut(), 1);
  EXPECT_EQ(curl_.Get(url_ + "/v2/t/up/blobs/" + digest).body, data);
}

// A chunked request body (no Content-Length) is cut too.
TEST_F(FaultProxyTest, CutsAChunkedUpload) {
  auto start = curl_.Post(url_ + "/v2/t/chunked/blobs/uploads/", "");
  ASSERT_EQ(start.status, 202) << start.headers;
  proxy_->CutNextUploadAfter(1000);
  std::string data = Payload();
  auto cut = curl_.Do("PATCH", start.Header("Location"), &data, {"Transfer-Encoding: chunked"});
  EXPECT_EQ(cut.status, 0);
  EXPECT_EQ(proxy_->uploads_cut(), 1);
}

}  // namespace
}  // namespace kiln::testing
