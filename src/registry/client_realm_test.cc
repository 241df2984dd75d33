// The bearer flow's token realm on the fake: the TLS policy and the credentials a realm on
// another host gets, and token requests that run without holding up the host's other
// transfers (one request per scope set however many threads need it).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <thread>

#include "base/fs.h"
#include "registry/client_suite.h"
#include "registry/fake_registry.h"
#include "testing/test_env.h"

namespace kiln::registry {
namespace {

constexpr const char* kPassword = "s3cret-Pa55";

// Between the client and the fake: the fake's challenges name `realm_origin` + "/token" as the
// realm, and requests to that origin are recorded and served by the fake's own token endpoint.
// `on_token` runs (outside any lock of ours) before each token request is served.
class Router : public Transport {
 public:
  FakeRegistry* fake = nullptr;
  std::string realm_origin;
  std::function<void(const Request&)> on_token;

  Result<Response> Do(const Request& request) override {
    Request copy = request;
    if (request.url.find("/token") != std::string::npos) {
      {
        std::lock_guard lock(mu_);
        token_requests_.push_back(request);
      }
      if (on_token) on_token(request);
      if (request.url.rfind(realm_origin, 0) == 0) {
        copy.url = "https://" + fake->host() + request.url.substr(realm_origin.size());
      }
    }
    ASSIGN_OR_RETURN(Response r, fake->Do(copy));
    std::string own = "realm=\"https://" + fake->host() + "/token\"";
    for (auto& [name, value] : r.headers) {
      if (name != "www-authenticate") continue;
      if (size_t at = value.find(own); at != std::string::npos) {
        value.replace(at, own.size(), "realm=\"" + realm_origin + "/token\"");
      }
    }
    return r;
  }
  std::vector<Request> token_requests() {
    std::lock_guard lock(mu_);
    return token_requests_;
  }

 private:
  std::mutex mu_;
  std::vector<Request> token_requests_;
};

class RealmTest : public ::testing::Test {
 protected:
  // A bearer registry whose realm is at `realm_origin`; the host is insecure
  // (--tls-verify=false) with a CA and a client certificate in its cert dir.
  void Make(const std::string& realm_origin, bool with_credentials, bool insecure = true,
            std::string host = "registry.test") {
    FakeRegistryOptions options;
    options.host = host;
    options.auth = FakeRegistryOptions::Auth::kBearer;
    if (with_credentials) options.credentials = {"tester", kPassword};
    fake_ = std::make_unique<FakeRegistry>(options);
    router_.fake = fake_.get();
    router_.realm_origin = realm_origin;
    if (with_credentials) credentials_.by_host[host] = {"tester", kPassword};
    for (const char* f : {"ca.crt", "client.cert", "client.key"}) {
      ASSERT_TRUE(WriteFileAtomic(dir_.Sub(f), "x", 0600).ok());
    }
    ClientOptions o;
    o.transport = &router_;
    o.credentials = &credentials_;
    o.host.insecure = insecure;
    o.host.cert_dir = dir_.path();
    o.retry.sleep = [](double) {};
    o.log = [](LogLevel, const std::string&) {};
    client_ = std::make_unique<Client>(host, o);
  }

  testing::ScratchDir dir_;
  StaticCredentials credentials_;
  std::unique_ptr<FakeRegistry> fake_;
  Router router_;
  std::unique_ptr<Client> client_;
};

TEST_F(RealmTest, RealmOnAnotherHostGetsTheDefaultTlsPolicy) {
  Make("https://auth.other", true);
  ASSERT_TRUE(client_->Ping().ok());
  auto requests = router_.token_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url.rfind("https://auth.other/token?", 0), 0u) << requests[0].url;
  EXPECT_TRUE(requests[0].tls.verify) << "--tls-verify=false is the registry host's alone";
  EXPECT_EQ(requests[0].tls.ca_file, "");
  EXPECT_EQ(requests[0].tls.client_cert, "") << "the host's client certificate stays with it";
  EXPECT_EQ(requests[0].tls.client_key, "");
}

TEST_F(RealmTest, RealmOnTheHostItselfGetsTheHostsTlsPolicy) {
  Make("https://registry.test", true);
  ASSERT_TRUE(client_->Ping().ok());
  auto requests = router_.token_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].tls.verify);
  EXPECT_EQ(requests[0].tls.ca_file, dir_.Sub("ca.crt"));
  EXPECT_EQ(requests[0].tls.client_cert, dir_.Sub("client.cert"));
}

TEST_F(RealmTest, PlainHttpRealmElsewhereGetsNoCredentials) {
  Make("http://auth.other", true);
  Status s = client_->Ping();
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("http://auth.other"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(kPassword), std::string::npos);
  EXPECT_TRUE(router_.token_requests().empty()) << "nothing was sent to the realm";
}

TEST_F(RealmTest, PlainHttpRealmWithoutCredentialsIsAsked) {
  Make("http://auth.other", false);
  EXPECT_TRUE(client_->Ping().ok());
  EXPECT_EQ(router_.token_requests().size(), 1u);
}

TEST_F(RealmTest, PlainHttpRealmOnLoopbackOrOnTheInsecureHostItselfGetsCredentials) {
  Make("http://127.0.0.1:5001", true, false);
  EXPECT_TRUE(client_->Ping().ok());
  EXPECT_EQ(router_.token_requests().size(), 1u);
  Make("http://registry.test", true, true);  // insecure: plain HTTP allowed to it
  EXPECT_TRUE(client_->Ping().ok());
  EXPECT_EQ(router_.token_requests().size(), 2u);
  Make("http://registry.test", true, false);  // HTTPS only
  EXPECT_EQ(client_->Ping().code(), Code::kPermissionDenied);
  EXPECT_EQ(router_.token_requests().size(), 2u);
}

// While one thread waits for the token of team/a, a transfer needing team/b gets its own
// token: the token lock is not held across the request. (Should it be, the first request
// gives up waiting for the second after a bound, and the test fails.)
TEST_F(RealmTest, ConcurrentTokenRequestsForOtherScopesAreNotHeldUp) {
  Make("https://registry.test", true);
  std::mutex mu;
  std::condition_variable cv;
  bool a_waiting = false, b_seen = false;
  std::atomic<bool> b_seen_while_a_waited = false;
  router_.on_token = [&](const Request& r) {
    std::unique_lock lock(mu);
    if (r.url.find("team%2Fa") != std::string::npos || r.url.find("team/a") != std::string::npos) {
      a_waiting = true;
      cv.notify_all();
      b_seen_while_a_waited = cv.wait_for(lock, std::chrono::seconds(10), [&] { return b_seen; });
    } else {
      b_seen = true;
      cv.notify_all();
    }
  };
  std::thread a(
      [&] { EXPECT_EQ(client_->GetManifest("team/a", "1").status().code(), Code::kNotFound); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return a_waiting; });
  }
  EXPECT_EQ(client_->GetManifest("team/b", "1").status().code(), Code::kNotFound);
  a.join();
  EXPECT_TRUE(b_seen_while_a_waited);
}

// Many threads needing the same scopes while its token is being fetched: one token request.
TEST_F(RealmTest, ConcurrentTransfersNeedingOneScopeFetchOneToken) {
  Make("https://registry.test", true);
  constexpr int kThreads = 8;
  std::mutex mu;
  std::condition_variable cv;
  int anonymous = 0;  // 401s answered to requests without Authorization
  router_.on_token = [&](const Request&) {
    std::unique_lock lock(mu);  // every thread has had its 401 before the first token comes
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return anonymous == kThreads; });
  };
  Router* router = &router_;
  struct Counting : Transport {
    Router* inner;
    std::function<void()> anonymous;
    Result<Response> Do(const Request& request) override {
      auto r = inner->Do(request);
      bool with_auth = false;
      for (const auto& [k, v] : request.headers) with_auth |= k == "Authorization";
      if (r.ok() && r->status == 401 && !with_auth) anonymous();
      return r;
    }
  } counting;
  counting.inner = router;
  counting.anonymous = [&] {
    std::lock_guard lock(mu);
    ++anonymous;
    cv.notify_all();
  };
  ClientOptions o;
  o.transport = &counting;
  o.credentials = &credentials_;
  o.retry.sleep = [](double) {};
  o.log = [](LogLevel, const std::string&) {};
  Client client(fake_->host(), o);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      EXPECT_EQ(client.GetManifest("team/a", "1").status().code(), Code::kNotFound);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(router_.token_requests().size(), 1u);
}

}  // namespace
}  // namespace kiln::registry
