// The Client suite on Debian's docker-registry over the curl transport (open, htpasswd, bearer
// tokens from the test's token server), and what a real registry shows: TLS with the test's
// own CA, a cut upload and download through a fault proxy, a flipped blob byte, a registry that
// is down, a wrong password.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "content/blob_store.h"
#include "registry/body_count_util.h"
#include "registry/client_suite.h"
#include "testing/fault_proxy.h"
#include "testing/registry_server.h"

namespace kiln::registry {

namespace {

struct Kept {
  std::unique_ptr<testing::RegistryServer> server;
  std::unique_ptr<Transport> transport;
};

}  // namespace

ClientSuiteEnv MakeClientSuiteEnv(SuiteAuth auth, const testing::ScratchDir&) {
  testing::RegistryOptions options;
  if (auth == SuiteAuth::kBasic) options.auth = testing::RegistryAuth::kBasic;
  if (auth == SuiteAuth::kBearer) options.auth = testing::RegistryAuth::kToken;
  auto server = testing::RegistryServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  ClientSuiteEnv env;
  if (!server.ok()) return env;
  auto kept = std::make_shared<Kept>();
  kept->server = std::move(*server);
  kept->transport = NewCurlTransport();
  env.host = kept->server->host();
  env.transport = kept->transport.get();
  if (auth != SuiteAuth::kOpen) env.credentials = {kept->server->user(), kept->server->password()};
  env.keep = kept;
  return env;
}

INSTANTIATE_TEST_SUITE_P(Distribution, ClientSuite,
                         ::testing::Values(SuiteAuth::kOpen, SuiteAuth::kBasic, SuiteAuth::kBearer),
                         [](const auto& info) { return SuiteAuthName(info.param); });

namespace {

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 31 + i / 101);
  return s;
}

BlobUpload Upload(const std::string& bytes, int64_t chunk = 0) {
  BlobUpload u;
  u.descriptor = {"application/octet-stream",
                  oci::Digest::FromData(bytes),
                  static_cast<int64_t>(bytes.size()),
                  {},
                  std::nullopt};
  u.chunk_size = chunk;
  u.open = [bytes]() -> Result<UniqueFd> {
    UniqueFd fd(::memfd_create("blob", MFD_CLOEXEC));
    RETURN_IF_ERROR(WriteAll(fd.get(), bytes));
    return fd;
  };
  return u;
}

class RealRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { transport_ = NewCurlTransport(); }
  std::unique_ptr<Client> NewClient(const std::string& host, HostOptions host_options = {},
                                    Transport* transport = nullptr) {
    ClientOptions o;
    o.transport = transport ? transport : transport_.get();
    o.credentials = &credentials_;
    o.host = std::move(host_options);
    o.host.certs_d_root = dir_.path();  // never the machine's /etc/containers/certs.d
    o.retry.attempts = 3;
    o.retry.sleep = [this](double s) {  // called from every thread that retries
      std::lock_guard lock(sleeps_mu_);
      sleeps_.push_back(s);
    };
    o.log = [this](LogLevel, const std::string& line) { log_ += line + "\n"; };
    return std::make_unique<Client>(host, o);
  }
  testing::ScratchDir dir_;
  std::unique_ptr<Transport> transport_;
  StaticCredentials credentials_;
  std::mutex sleeps_mu_;
  std::vector<double> sleeps_;
  std::string log_;  // the client calls log one line at a time
};

TEST_F(RealRegistryTest, TlsWithTheRegistrysOwnCa) {
  auto server = testing::RegistryServer::Start({testing::RegistryAuth::kBasic, true});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  credentials_.by_host[(*server)->host()] = {(*server)->user(), (*server)->password()};
  HostOptions with_ca;
  with_ca.cert_dir = (*server)->ca_file().substr(0, (*server)->ca_file().rfind('/'));
  auto client = NewClient((*server)->host(), with_ca);
  ASSERT_TRUE(client->Ping().ok()) << client->Ping().ToString();
  std::string bytes = Bytes(70000);
  ASSERT_TRUE(client->PushBlob("team/tls", Upload(bytes)).ok());
  EXPECT_TRUE(*client->HasBlob("team/tls", oci::Digest::FromData(bytes)));
  // Without the CA the certificate is refused: once, with a hint, never retried, and no
  // plain-HTTP try although the host is loopback.
  log_.clear();
  sleeps_.clear();
  Status refused = NewClient((*server)->host())->Ping();
  EXPECT_EQ(refused.code(), Code::kFailedPrecondition) << refused.ToString();
  std::string host = (*server)->host();
  EXPECT_NE(refused.message().find(host +
                                   ": the registry's certificate is not trusted: put its "
                                   "CA in /etc/containers/certs.d/" +
                                   host + "/ca.crt or pass --cert-dir DIR (or --tls-verify=false)"),
            std::string::npos)
      << refused.message();
  EXPECT_EQ(refused.message().find("attempts"), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find("plain HTTP"), std::string::npos) << refused.message();
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(log_.find("retrying"), std::string::npos) << log_;
  EXPECT_EQ(refused.message().find((*server)->password()), std::string::npos);
}

TEST_F(RealRegistryTest, CutUploadIsPushedAgainThroughAFaultProxy) {
  auto server = testing::RegistryServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto proxy = testing::FaultProxy::Start((*server)->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  for (int64_t chunk : {int64_t{0}, int64_t{256} << 10}) {
    BodyCounter counter(transport_.get());
    auto client = NewClient((*proxy)->host(), {}, &counter);
    std::string bytes = Bytes(1 << 20) + std::to_string(chunk);
    const auto size = static_cast<int64_t>(bytes.size());
    (*proxy)->CutNextUploadAfter(100 * 1000);  // inside the first PATCH or the PUT
    Status s = client->PushBlob("team/cut", Upload(bytes, chunk));
    ASSERT_TRUE(s.ok()) << s.ToString();
    // Distribution cancels a cut session (fault_proxy.h): the blob's upload starts again, once
    // (two sessions opened, the HTTPS try of the loopback host aside), and after the cut the
    // whole blob goes once: at most the cut request's bytes (curl may have read a whole PUT
    // into its buffers) and the blob.
    EXPECT_EQ(counter.Count("POST", "/blobs/uploads/"), 2) << "chunk " << chunk;
    EXPECT_EQ(counter.AfterFirstCut(), size) << "chunk " << chunk;
    EXPECT_LT(counter.Total(), 2 * size + std::max(chunk, int64_t{256} << 10)) << "chunk " << chunk;
    EXPECT_TRUE(*client->HasBlob("team/cut", oci::Digest::FromData(bytes)));
    std::string got;
    ASSERT_TRUE(client
                    ->GetBlob("team/cut", Upload(bytes).descriptor,
                              [&](std::string_view c) {
                                got.append(c);
                                return Status::Ok();
                              })
                    .ok());
    EXPECT_TRUE(got == bytes);
  }
  EXPECT_EQ((*proxy)->uploads_cut(), 2);
  EXPECT_NE(log_.find("resuming"), std::string::npos) << log_;
}

TEST_F(RealRegistryTest, CutDownloadResumesWithRange) {
  auto server = testing::RegistryServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto proxy = testing::FaultProxy::Start((*server)->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  auto client = NewClient((*proxy)->host());
  std::string bytes = Bytes(3 << 20);
  BlobUpload u = Upload(bytes);
  ASSERT_TRUE(client->PushBlob("team/down", u).ok());
  (*proxy)->CutNextResponseAfter(1 << 20);
  std::string got;
  Status s = client->GetBlob("team/down", u.descriptor, [&](std::string_view c) {
    got.append(c);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ((*proxy)->responses_cut(), 1);
  EXPECT_TRUE(got == bytes);
}

TEST_F(RealRegistryTest, FlippedBlobByteCommitsNothing) {
  auto server = testing::RegistryServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto proxy = testing::FaultProxy::Start((*server)->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  auto client = NewClient((*proxy)->host());
  BlobUpload u = Upload(Bytes(100000));
  ASSERT_TRUE(client->PushBlob("team/flip", u).ok());
  (*proxy)->CorruptBlobs(true);
  auto store = content::NewMemoryBlobStore();
  auto writer = store->NewWriter();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(client
                  ->GetBlob("team/flip", u.descriptor,
                            [&](std::string_view c) { return (*writer)->Write(c); })
                  .ok());
  auto committed = (*writer)->Commit("x", u.descriptor.digest, u.descriptor.size);
  EXPECT_EQ(committed.status().code(), Code::kDataLoss);
  EXPECT_NE(committed.status().message().find(u.descriptor.digest.str().substr(7, 12)),
            std::string::npos)
      << committed.status().message();
  EXPECT_FALSE(store->Has(u.descriptor.digest));
  EXPECT_EQ((*proxy)->blobs_corrupted(), 1);
}

TEST_F(RealRegistryTest, RegistryDownIsUnavailableAfterTheAttempts) {
  // A loopback port nobody listens on: bound, then closed.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  std::string host = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  Status s = NewClient(host)->Ping();
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("after 3 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(RealRegistryTest, WrongPasswordIsPermissionDenied) {
  for (auto auth : {testing::RegistryAuth::kBasic, testing::RegistryAuth::kToken}) {
    auto server = testing::RegistryServer::Start({auth, false});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    credentials_.by_host[(*server)->host()] = {(*server)->user(), "not-" + (*server)->password()};
    Status s = NewClient((*server)->host())->Ping();
    EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
    EXPECT_NE(s.message().find("run kiln login " + (*server)->host()), std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find((*server)->password()), std::string::npos);
    EXPECT_EQ(log_.find((*server)->password()), std::string::npos);
  }
}

TEST_F(RealRegistryTest, ConcurrentPushesAndPullsShareOneClient) {
  auto server = testing::RegistryServer::Start({testing::RegistryAuth::kToken, false});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  credentials_.by_host[(*server)->host()] = {(*server)->user(), (*server)->password()};
  auto client = NewClient((*server)->host());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::string bytes = Bytes((1 << 20) + t);
      BlobUpload u = Upload(bytes, t % 2 ? 300 * 1000 : 0);
      std::string repo = "team/c" + std::to_string(t % 2);
      Status pushed = client->PushBlob(repo, u);
      EXPECT_TRUE(pushed.ok()) << pushed.ToString();
      std::string got;
      Status s = client->GetBlob(repo, u.descriptor, [&](std::string_view c) {
        got.append(c);
        return Status::Ok();
      });
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (pushed.ok() && s.ok() && got == bytes) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 6);
}

}  // namespace
}  // namespace kiln::registry
