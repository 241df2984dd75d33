// The Client suite on the fake registry, and what only the fake can stage: retries, cuts,
// wrong bytes, wrong digests, wrong credentials, expired tokens, redirects.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <thread>

#include "content/blob_store.h"
#include "registry/body_count_util.h"
#include "registry/client_suite.h"
#include "registry/fake_registry.h"

namespace kiln::registry {

ClientSuiteEnv MakeClientSuiteEnv(SuiteAuth auth, const testing::ScratchDir&) {
  FakeRegistryOptions options;
  options.tag_page_size = 2;  // ListTags follows Link pages
  if (auth != SuiteAuth::kOpen) options.credentials = {"tester", "s3cret-Pa55"};
  if (auth == SuiteAuth::kBasic) options.auth = FakeRegistryOptions::Auth::kBasic;
  if (auth == SuiteAuth::kBearer) options.auth = FakeRegistryOptions::Auth::kBearer;
  auto fake = std::make_shared<FakeRegistry>(options);
  ClientSuiteEnv env;
  env.host = fake->host();
  env.transport = fake.get();
  env.credentials = options.credentials;
  env.keep = fake;
  return env;
}

INSTANTIATE_TEST_SUITE_P(Fake, ClientSuite,
                         ::testing::Values(SuiteAuth::kOpen, SuiteAuth::kBasic, SuiteAuth::kBearer),
                         [](const auto& info) { return SuiteAuthName(info.param); });

namespace {

class FakeClientTest : public ::testing::Test {
 protected:
  void Make(FakeRegistryOptions options = {}, std::optional<Credentials> creds = std::nullopt) {
    fake_ = std::make_unique<FakeRegistry>(options);
    counter_ = std::make_unique<BodyCounter>(fake_.get());
    if (creds) credentials_.by_host[fake_->host()] = *creds;
    ClientOptions o;
    o.transport = counter_.get();
    o.credentials = &credentials_;
    o.retry.attempts = 4;
    o.retry.initial_backoff = 0.25;
    o.retry.max_backoff = 1;
    o.retry.sleep = [this](double s) { sleeps_.push_back(s); };
    o.log = [this](LogLevel, const std::string& line) { log_ += line + "\n"; };
    client_ = std::make_unique<Client>(fake_->host(), o);
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
  int Count(const std::string& method, const std::string& part) {
    int n = 0;
    for (const auto& r : fake_->requests()) {
      n += r.method == method && r.url.find(part) != std::string::npos;
    }
    return n;
  }

  StaticCredentials credentials_;
  std::unique_ptr<FakeRegistry> fake_;
  std::unique_ptr<BodyCounter> counter_;  // between the client and the fake
  std::unique_ptr<Client> client_;
  std::vector<double> sleeps_;
  std::string log_;
};

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 13 + i / 97);
  return s;
}

TEST_F(FakeClientTest, TransientErrorsAreRetriedThenSucceed) {
  Make();
  fake_->FailNext(2, 503);
  ASSERT_TRUE(client_->Ping().ok());
  fake_->FailNext(1, 429);
  ASSERT_TRUE(client_->Ping().ok());
  EXPECT_EQ(fake_->requests().size(), 5u);
  ASSERT_EQ(sleeps_.size(), 3u);
  EXPECT_GE(sleeps_[1], 0.25);  // the second wait of a series doubles the first (with jitter)
  EXPECT_LE(sleeps_[1], 0.5);
  EXPECT_EQ(sleeps_[2], 1.0);  // the 429's Retry-After: 5, cut to max_backoff
  EXPECT_NE(log_.find("retrying"), std::string::npos);
}

TEST_F(FakeClientTest, RetriesAreBoundedAndCounted) {
  Make();
  fake_->FailNext(100, 503);
  Status s = client_->Ping();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("after 4 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(fake_->requests().size(), 4u);
  ASSERT_EQ(sleeps_.size(), 3u);
  for (double w : sleeps_) EXPECT_LE(w, 1.0);  // max_backoff
  // A client error is not retried.
  sleeps_.clear();
  fake_->FailNext(0, 0);
  EXPECT_EQ(client_->GetManifest("team/x", "1").status().code(), Code::kNotFound);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(FakeClientTest, RegistryDownIsUnavailableAfterTheAttempts) {
  Make();
  fake_->FailNext(100, 0);  // below HTTP: connection reset
  Status s = client_->HasBlob("team/x", oci::Digest::FromData("x")).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("after 4 attempts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("registry.test/team/x@sha256:"), std::string::npos) << s.message();
  EXPECT_EQ(fake_->requests().size(), 4u);
}

TEST_F(FakeClientTest, CutDownloadResumesWithRange) {
  Make();
  std::string bytes = Bytes(100 * 1000);
  oci::Digest d = fake_->AddBlob("team/x", bytes);
  fake_->CutNextDownload(40 * 1000);
  std::string got;
  int calls = 0;
  Status s =
      client_->GetBlob("team/x", {"x", d, 100 * 1000, {}, std::nullopt}, [&](std::string_view c) {
        ++calls;
        got.append(c);
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, bytes);  // every byte once, in order
  auto requests = fake_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].HasHeader("Range"));
  EXPECT_TRUE(requests[1].HasHeader("range"));
}

TEST_F(FakeClientTest, WrongBlobBytesFailTheCallersWriter) {
  Make();
  std::string bytes = Bytes(5000);
  oci::Digest d = fake_->AddBlob("team/x", bytes);
  fake_->CorruptBlob(d);
  auto store = content::NewMemoryBlobStore();
  auto writer = store->NewWriter();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(client_
                  ->GetBlob("team/x", {"x", d, 5000, {}, std::nullopt},
                            [&](std::string_view c) { return (*writer)->Write(c); })
                  .ok());
  auto committed = (*writer)->Commit("x", d, 5000);
  EXPECT_EQ(committed.status().code(), Code::kDataLoss);
  EXPECT_NE(committed.status().message().find(d.str().substr(7, 12)), std::string::npos)
      << committed.status().message();
  EXPECT_FALSE(store->Has(d));
}

TEST_F(FakeClientTest, CutMonolithicUploadResumesFromTheRegistrysRange) {
  Make();
  std::string bytes = Bytes(300 * 1000);
  fake_->CutNextUpload(120 * 1000);
  Status s = client_->PushBlob("team/x", Upload(bytes));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(fake_->Blob(oci::Digest::FromData(bytes)), bytes);
  EXPECT_TRUE(fake_->HasBlob("team/x", oci::Digest::FromData(bytes)));
  EXPECT_EQ(Count("POST", "/blobs/uploads/"), 1);  // the same upload went on
  EXPECT_EQ(Count("GET", "/blobs/uploads/upload-"), 1);
  EXPECT_EQ(Count("PUT", "digest="), 2);
  EXPECT_EQ(fake_->OpenUploads(), 0);
  // The resumed PUT carries the bytes from the cut on, and no more: a restart would send all.
  EXPECT_EQ(counter_->AfterFirstCut(), 180 * 1000);
  EXPECT_LT(counter_->Total(), 300 * 1000 + 120 * 1000);
}

TEST_F(FakeClientTest, CutChunkedUploadResumesAtTheNextByte) {
  Make();
  std::string bytes = Bytes(100 * 1000);
  fake_->CutNextUpload(10 * 1000);  // inside the first chunk: 10 000 bytes reach the registry
  int64_t last_progress = 0;
  BlobUpload u = Upload(bytes, 30 * 1000);
  u.progress = [&](int64_t n) { last_progress = n; };
  Status s = client_->PushBlob("team/x", u);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(fake_->Blob(oci::Digest::FromData(bytes)), bytes);
  EXPECT_EQ(last_progress, 100 * 1000);
  EXPECT_EQ(Count("POST", "/blobs/uploads/"), 1);
  EXPECT_EQ(Count("GET", "/blobs/uploads/upload-"), 1);
  // The cut chunk, then 10 000-39 999, 40 000-69 999, 70 000-99 999.
  EXPECT_EQ(Count("PATCH", "/blobs/uploads/"), 4);
  std::vector<std::string> ranges;
  for (const auto& r : fake_->requests()) {
    for (const auto& [k, v] : r.headers) {
      if (r.method == "PATCH" && k == "Content-Range") ranges.push_back(v);
    }
  }
  EXPECT_EQ(ranges,
            (std::vector<std::string>{"0-29999", "10000-39999", "40000-69999", "70000-99999"}));
  // After the cut: the bytes from 10 000 on, each once (size + cut + one chunk would be a
  // restart's worst).
  EXPECT_EQ(counter_->AfterFirstCut(), 90 * 1000);
  EXPECT_LT(counter_->Total(), 100 * 1000 + 10 * 1000 + 30 * 1000);
}

TEST_F(FakeClientTest, LostUploadStartsAgain) {
  Make();
  std::string bytes = Bytes(50 * 1000);
  fake_->CutNextUpload(0);  // nothing stored: the status says "0-0", so a fresh upload
  ASSERT_TRUE(client_->PushBlob("team/x", Upload(bytes)).ok());
  EXPECT_EQ(fake_->Blob(oci::Digest::FromData(bytes)), bytes);
  EXPECT_EQ(Count("POST", "/blobs/uploads/"), 2);
}

TEST_F(FakeClientTest, UploadWithWrongDigestIsDataLoss) {
  Make();
  BlobUpload u = Upload("real bytes");
  u.descriptor.digest = oci::Digest::FromData("other bytes");
  Status s = client_->PushBlob("team/x", u);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("DIGEST_INVALID"), std::string::npos);
  EXPECT_FALSE(fake_->HasBlob("team/x", u.descriptor.digest));
}

TEST_F(FakeClientTest, RefusedMountIsFalseAndCancelsTheUpload) {
  Make();
  oci::Digest d = fake_->AddBlob("team/a", "shared");
  fake_->RefuseMounts(true);
  auto mounted = client_->MountBlob("team/b", d, "team/a");
  ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
  EXPECT_FALSE(*mounted);
  EXPECT_FALSE(fake_->HasBlob("team/b", d));
  EXPECT_EQ(fake_->OpenUploads(), 0);
}

TEST_F(FakeClientTest, OneClientServesManyThreads) {
  FakeRegistryOptions options;
  options.auth = FakeRegistryOptions::Auth::kBearer;
  options.credentials = {"tester", "pw"};
  Make(options, options.credentials);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string bytes = Bytes(20000 + t);
      BlobUpload u = Upload(bytes, t % 2 ? 4096 : 0);
      if (!client_->PushBlob("team/t" + std::to_string(t % 3), u).ok()) return;
      std::string got;
      Status s =
          client_->GetBlob("team/t" + std::to_string(t % 3), u.descriptor, [&](std::string_view c) {
            got.append(c);
            return Status::Ok();
          });
      if (s.ok() && got == bytes) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
}

}  // namespace
}  // namespace kiln::registry
