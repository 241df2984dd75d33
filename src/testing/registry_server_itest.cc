// The registry fixtures against themselves, judged with curl: each mode answers as
// Distribution's docs say, and credentials are required exactly where they should be.
#include <gtest/gtest.h>

#include <atomic>

#include "base/fs.h"
#include "base/json.h"
#include "testing/background_process.h"
#include "testing/curl_client.h"
#include "testing/http_server.h"
#include "testing/registry_server.h"

namespace kiln::testing {
namespace {

std::unique_ptr<RegistryServer> MustStart(const RegistryOptions& options) {
  auto s = RegistryServer::Start(options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

std::string JsonString(const std::string& text, const char* key) {
  auto j = ParseJson(text);
  if (!j.ok() || !j->is_object() || !j->contains(key) || !(*j)[key].is_string()) return "";
  return (*j)[key].get<std::string>();
}

// A port reused by another HTTP server between probe and bind is not taken for the registry:
// the wait wants Distribution's header.
TEST(RegistryServerTest, WaitForHttpWantsTheHeaderNotJustAnAnswer) {
  std::atomic<bool> with_header = false;
  HttpServer server([&](const HttpRequest&, HttpConnection& c) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (with_header) headers.emplace_back("Docker-Distribution-API-Version", "registry/2.0");
    (void)c.Write(HttpResponseText(200, "{}", headers));
  });
  ScratchDir dir;
  auto alive = BackgroundProcess::Start({"sleep", "30"}, dir.Sub("log"));
  ASSERT_TRUE(alive.ok()) << alive.status().ToString();
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v2/";
  const std::string header = "Docker-Distribution-Api-Version: registry/2.0";
  EXPECT_TRUE(WaitForHttp(url, "", **alive).ok());
  Status other = WaitForHttp(url, "", **alive, header, 3);
  EXPECT_EQ(other.code(), Code::kDeadlineExceeded) << other.ToString();
  EXPECT_NE(other.message().find("another server on the port"), std::string::npos)
      << other.message();
  with_header = true;
  EXPECT_TRUE(WaitForHttp(url, "", **alive, header, 3).ok());
}

TEST(RegistryServerTest, OpenRegistryTakesAndServesABlob) {
  auto reg = MustStart({});
  ASSERT_TRUE(reg);
  CurlClient curl;
  EXPECT_EQ(curl.Get(reg->url() + "/v2/").status, 200);
  std::string blob = "hello registry";
  std::string digest = PushBlob(curl, reg->url(), "team/a", blob);
  auto got = curl.Get(reg->url() + "/v2/team/a/blobs/" + digest);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, blob);
  EXPECT_TRUE(PathExists(reg->data_dir() + "/docker/registry/v2/blobs/sha256"));
  EXPECT_EQ(reg->host(), "127.0.0.1:" + std::to_string(reg->port()));
}

TEST(RegistryServerTest, BasicAuthWantsThePassword) {
  auto reg = MustStart({.auth = RegistryAuth::kBasic});
  ASSERT_TRUE(reg);
  CurlClient anonymous;
  auto r = anonymous.Get(reg->url() + "/v2/");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.headers.find("Basic realm="), std::string::npos) << r.headers;
  CurlClient wrong;
  wrong.SetBasic(reg->user(), "not-" + reg->password());
  EXPECT_EQ(wrong.Get(reg->url() + "/v2/").status, 401);
  CurlClient right;
  right.SetBasic(reg->user(), reg->password());
  EXPECT_EQ(right.Get(reg->url() + "/v2/").status, 200);
  EXPECT_FALSE(PushBlob(right, reg->url(), "team/b", "x").empty());
  // The password is nowhere in the registry's files but as a bcrypt hash.
  auto config = ReadFile(reg->data_dir() + "/../config.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->find(reg->password()), std::string::npos);
}

TEST(RegistryServerTest, TlsWithTheTestsOwnCaSpeaksHttp2) {
  auto reg = MustStart({.tls = true});
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->url().substr(0, 8), "https://");
  CurlClient trusting(reg->ca_file());
  auto r = trusting.Get(reg->url() + "/v2/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.http_version, "2");
  CurlClient untrusting;
  EXPECT_EQ(untrusting.Get(reg->url() + "/v2/").status, 0);  // Certificate not trusted.
}

TEST(RegistryServerTest, TokenServerGrantsScopesToKnownUsersOnly) {
  auto reg = MustStart({.auth = RegistryAuth::kToken});
  ASSERT_TRUE(reg);
  CurlClient anonymous;
  auto challenge = anonymous.Get(reg->url() + "/v2/");
  EXPECT_EQ(challenge.status, 401);
  EXPECT_NE(challenge.headers.find("Bearer realm=\"" + reg->token_realm() + "\""),
            std::string::npos)
      << challenge.headers;
  int before = reg->TokenRequests();  // The readiness probe's.
  std::string token_url =
      reg->token_realm() + "?service=kiln-test-registry&scope=repository:team/c:pull,push";
  EXPECT_EQ(anonymous.Get(token_url).status, 401);
  CurlClient wrong;
  wrong.SetBasic(reg->user(), "wrong");
  EXPECT_EQ(wrong.Get(token_url).status, 401);
  EXPECT_EQ(reg->TokenRequests(), before + 2) << reg->TokenLog();

  CurlClient user;
  user.SetBasic(reg->user(), reg->password());
  auto granted = user.Get(token_url);
  ASSERT_EQ(granted.status, 200) << granted.body;
  std::string token = JsonString(granted.body, "token");
  ASSERT_FALSE(token.empty()) << granted.body;
  EXPECT_EQ(JsonString(granted.body, "access_token"), token);
  CurlClient bearer;
  bearer.SetBearer(token);
  EXPECT_FALSE(PushBlob(bearer, reg->url(), "team/c", "token-pushed").empty());
  // The token is for team/c only.
  auto other = bearer.Post(reg->url() + "/v2/team/d/blobs/uploads/", "");
  EXPECT_EQ(other.status, 401);
  EXPECT_EQ(reg->TokenRequests(), before + 3) << reg->TokenLog();
}

}  // namespace
}  // namespace kiln::testing
