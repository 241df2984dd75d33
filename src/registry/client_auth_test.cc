// The client's auth and integrity on the fake: wrong credentials, secrets kept out of errors
// and logs, the token cache and its expiry, redirects without Authorization, digests that do
// not match.
#include <gtest/gtest.h>

#include "oci/media_types.h"
#include "registry/client_suite.h"
#include "registry/fake_registry.h"

namespace kiln::registry {
namespace {

using Headers = std::multimap<std::string, std::string>;

constexpr const char* kPassword = "s3cret-Pa55";

// Edits the answers of another transport.
class Tamper : public Transport {
 public:
  Transport* inner = nullptr;
  std::function<void(const Request&, Response&)> edit;
  std::function<void(Headers&)> edit_head;  // what on_head sees
  Result<Response> Do(const Request& request) override {
    Request copy = request;
    if (edit_head && request.on_head) {
      copy.on_head = [&](int status, const Headers& headers) {
        Headers edited = headers;
        edit_head(edited);
        return request.on_head(status, edited);
      };
    }
    ASSIGN_OR_RETURN(Response r, inner->Do(copy));
    if (edit) edit(request, r);
    return r;
  }
};

class AuthTest : public ::testing::Test {
 protected:
  void Make(FakeRegistryOptions::Auth auth, std::optional<Credentials> given,
            bool redirect_blobs = false) {
    FakeRegistryOptions options;
    options.auth = auth;
    options.credentials = {"tester", kPassword};
    options.redirect_blobs = redirect_blobs;
    fake_ = std::make_unique<FakeRegistry>(options);
    tamper_.inner = fake_.get();
    if (given) credentials_.by_host[fake_->host()] = *given;
    ClientOptions o;
    o.transport = &tamper_;
    o.credentials = &credentials_;
    o.retry.sleep = [](double) {};
    o.log = [this](LogLevel, const std::string& line) { log_ += line + "\n"; };
    client_ = std::make_unique<Client>(fake_->host(), o);
  }
  std::vector<std::string> Tokens() {
    std::vector<std::string> tokens;
    for (const auto& r : fake_->requests()) {
      for (const auto& [k, v] : r.headers) {
        if (k == "Authorization" && v.rfind("Bearer ", 0) == 0) tokens.push_back(v.substr(7));
      }
    }
    return tokens;
  }
  int TokenRequests() {
    int n = 0;
    for (const auto& r : fake_->requests()) n += r.url.find("/token?") != std::string::npos;
    return n;
  }

  StaticCredentials credentials_;
  std::unique_ptr<FakeRegistry> fake_;
  Tamper tamper_;
  std::unique_ptr<Client> client_;
  std::string log_;
};

TEST_F(AuthTest, WrongPasswordIsPermissionDeniedWithoutThePassword) {
  for (auto auth : {FakeRegistryOptions::Auth::kBasic, FakeRegistryOptions::Auth::kBearer}) {
    Make(auth, Credentials{"tester", "wrong-Pa55word"});
    Status s = client_->Ping();
    EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
    EXPECT_NE(s.message().find("wrong username or password, or run kiln login registry.test"),
              std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find("wrong-Pa55word"), std::string::npos);
    EXPECT_EQ(log_.find("wrong-Pa55word"), std::string::npos);
    Status get = client_->GetManifest("team/x", "1").status();
    EXPECT_EQ(get.code(), Code::kPermissionDenied) << get.ToString();
    EXPECT_EQ(get.message().find("wrong-Pa55word"), std::string::npos);
  }
}

TEST_F(AuthTest, PingSaysWhetherTheCredentialsWereChecked) {
  for (auto auth : {FakeRegistryOptions::Auth::kNone, FakeRegistryOptions::Auth::kBasic,
                    FakeRegistryOptions::Auth::kBearer}) {
    Make(auth, Credentials{"tester", kPassword});
    bool checked = auth == FakeRegistryOptions::Auth::kNone;  // the opposite of what is due
    ASSERT_TRUE(client_->Ping(&checked).ok());
    EXPECT_EQ(checked, auth != FakeRegistryOptions::Auth::kNone) << static_cast<int>(auth);
  }
}

TEST_F(AuthTest, NoCredentialsSaysToLogIn) {
  Make(FakeRegistryOptions::Auth::kBasic, std::nullopt);
  Status s = client_->Ping();
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("authentication required: run kiln login registry.test"),
            std::string::npos)
      << s.message();
}

TEST_F(AuthTest, ErrorsAndLogsAfterABearerFlowHoldNoToken) {
  Make(FakeRegistryOptions::Auth::kBearer, Credentials{"tester", kPassword});
  fake_->FailNext(1, 503);  // a retry, logged
  Status s = client_->GetManifest("team/x", "missing").status();
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  std::vector<std::string> tokens = Tokens();
  ASSERT_FALSE(tokens.empty());  // the flow ran
  ASSERT_FALSE(log_.empty());
  for (const std::string& t : tokens) {
    EXPECT_EQ(s.message().find(t), std::string::npos);
    EXPECT_EQ(log_.find(t), std::string::npos);
  }
  EXPECT_EQ(s.message().find(kPassword), std::string::npos);
  EXPECT_EQ(log_.find(kPassword), std::string::npos);
}

TEST_F(AuthTest, TokensAreCachedPerScopeAndRenewedWhenRefused) {
  Make(FakeRegistryOptions::Auth::kBearer, Credentials{"tester", kPassword});
  ASSERT_TRUE(client_->ListTags("team/x").status().code() == Code::kNotFound);
  ASSERT_TRUE(client_->ListTags("team/x").status().code() == Code::kNotFound);
  EXPECT_EQ(TokenRequests(), 1);
  // Another scope, another token.
  EXPECT_EQ(client_->ListTags("team/y").status().code(), Code::kNotFound);
  EXPECT_EQ(TokenRequests(), 2);
  fake_->ExpireTokens();
  EXPECT_EQ(client_->ListTags("team/x").status().code(), Code::kNotFound);
  EXPECT_EQ(TokenRequests(), 3);
  // The token request carries the credentials (to the realm the registry named), the scope
  // and the service.
  for (const auto& r : fake_->requests()) {
    if (r.url.find("/token?") == std::string::npos) continue;
    EXPECT_TRUE(r.HasHeader("Authorization"));
    EXPECT_NE(r.url.find("scope=repository%3Ateam%2F"), std::string::npos) << r.url;
    EXPECT_NE(r.url.find("service=registry.test"), std::string::npos) << r.url;
  }
}

TEST_F(AuthTest, IdentityTokenIsPostedNeverInAUrl) {
  FakeRegistryOptions options;
  options.auth = FakeRegistryOptions::Auth::kBearer;
  options.credentials = {"<token>", "refresh-Xy9"};
  fake_ = std::make_unique<FakeRegistry>(options);
  tamper_.inner = fake_.get();
  credentials_.by_host[fake_->host()] = options.credentials;
  ClientOptions o;
  o.transport = &tamper_;
  o.credentials = &credentials_;
  client_ = std::make_unique<Client>(fake_->host(), o);
  EXPECT_EQ(client_->ListTags("team/x").status().code(), Code::kNotFound);
  int posts = 0;
  for (const auto& r : fake_->requests()) {
    EXPECT_EQ(r.url.find("refresh-Xy9"), std::string::npos);
    EXPECT_FALSE(r.method == "GET" && r.url.find("/token") != std::string::npos);
    posts += r.method == "POST" && r.url.find("/token") != std::string::npos;
  }
  EXPECT_EQ(posts, 1);
  credentials_.by_host[fake_->host()] = {"<token>", "refresh-wrong"};
  EXPECT_EQ(client_->ListTags("team/y").status().code(), Code::kPermissionDenied);
}

TEST_F(AuthTest, ScopeTheTokenServerDoesNotGrantIsNamed) {
  FakeRegistryOptions options;
  options.auth = FakeRegistryOptions::Auth::kBearer;
  options.credentials = {"tester", kPassword};
  options.pull_only = {"team/ro"};
  fake_ = std::make_unique<FakeRegistry>(options);
  tamper_.inner = fake_.get();
  credentials_.by_host[fake_->host()] = options.credentials;
  ClientOptions o;
  o.transport = &tamper_;
  o.credentials = &credentials_;
  client_ = std::make_unique<Client>(fake_->host(), o);
  fake_->AddBlob("team/ro", "x");
  EXPECT_TRUE(client_->HasBlob("team/ro", oci::Digest::FromData("x")).ok());
  Status s = client_->PutManifest("team/ro", "1", oci::kMediaTypeIndex, "{}");
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("does not grant repository:team/ro:pull,push"), std::string::npos)
      << s.message();
}

TEST_F(AuthTest, MountAsksForTheSourceRepository) {
  Make(FakeRegistryOptions::Auth::kBearer, Credentials{"tester", kPassword});
  oci::Digest d = fake_->AddBlob("team/a", "shared");
  auto mounted = client_->MountBlob("team/b", d, "team/a");
  ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
  EXPECT_TRUE(*mounted);  // the fake mounts only with pull on team/a in the token
}

TEST_F(AuthTest, RedirectsAreFollowedWithoutAuthorization) {
  Make(FakeRegistryOptions::Auth::kBasic, Credentials{"tester", kPassword}, true);
  oci::Digest d = fake_->AddBlob("team/x", "stored elsewhere");
  ASSERT_TRUE(client_->Ping().ok());  // the client now sends basic auth from the start
  std::string got;
  Status s = client_->GetBlob("team/x", {"x", d, 16, {}, std::nullopt}, [&](std::string_view c) {
    got.append(c);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, "stored elsewhere");
  int storage = 0;
  for (const auto& r : fake_->requests()) {
    if (r.url.find("://storage.registry.test/") == std::string::npos) continue;
    ++storage;
    EXPECT_FALSE(r.HasHeader("Authorization")) << r.url;
  }
  EXPECT_EQ(storage, 1);
}

TEST_F(AuthTest, ManifestBytesThatAreNotTheDigestAreDataLoss) {
  Make(FakeRegistryOptions::Auth::kNone, std::nullopt);
  std::string manifest = R"({"schemaVersion":2,"manifests":[]})";
  ASSERT_TRUE(client_->PutManifest("team/x", "1", oci::kMediaTypeIndex, manifest).ok());
  oci::Digest real = oci::Digest::FromData(manifest);
  std::string tampered = manifest + " ";
  tamper_.edit = [&](const Request& req, Response& r) {
    if (req.url.find("/manifests/") != std::string::npos && r.status == 200 &&
        req.method == "GET") {
      r.body = tampered;
    }
  };
  auto by_digest = client_->GetManifest("team/x", real.str());
  EXPECT_EQ(by_digest.status().code(), Code::kDataLoss);
  EXPECT_NE(by_digest.status().message().find(real.str()), std::string::npos);
  EXPECT_NE(by_digest.status().message().find(oci::Digest::FromData(tampered).str()),
            std::string::npos)
      << by_digest.status().message();
  // By tag: the registry's Docker-Content-Digest disagrees with the bytes.
  auto by_tag = client_->GetManifest("team/x", "1");
  EXPECT_EQ(by_tag.status().code(), Code::kDataLoss);
  EXPECT_NE(by_tag.status().message().find(real.str()), std::string::npos);
  // HEAD by digest: the header names another digest.
  tamper_.edit = [&](const Request& req, Response& r) {
    r.headers.erase("docker-content-digest");
    r.headers.emplace("docker-content-digest", oci::Digest::FromData(tampered).str());
  };
  EXPECT_EQ(client_->HeadManifest("team/x", real.str()).status().code(), Code::kDataLoss);
}

TEST_F(AuthTest, BlobAnsweredUnderAnotherDigestIsDataLoss) {
  Make(FakeRegistryOptions::Auth::kNone, std::nullopt);
  oci::Digest d = fake_->AddBlob("team/x", "blob bytes");
  oci::Digest other = oci::Digest::FromData("other");
  tamper_.edit_head = [&](Headers& h) {
    h.erase("docker-content-digest");
    h.emplace("docker-content-digest", other.str());
  };
  std::string got;
  Status s = client_->GetBlob("team/x", {"x", d, 10, {}, std::nullopt}, [&](std::string_view c) {
    got.append(c);
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find(d.str()), std::string::npos);
  EXPECT_NE(s.message().find(other.str()), std::string::npos);
  EXPECT_EQ(got, "");                       // the sink saw nothing
  EXPECT_EQ(fake_->requests().size(), 1u);  // not retried
}

}  // namespace
}  // namespace kiln::registry
