#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "base/fs.h"
#include "registry/auth_file.h"
#include "testing/test_env.h"

namespace kiln::registry {
namespace {

std::string AuthJson(const std::string& key, const std::string& user, const std::string& pass) {
  return R"({"auths": {")" + key + R"(": {"auth": ")" + Base64Encode(user + ":" + pass) + R"("}}})";
}

class CredentialStoreTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.Sub(name);
    EXPECT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return path;
  }
  // The credentials `store` has for `host` as "user:password", or "none".
  static std::string Found(CredentialStore& store, const std::string& host) {
    auto found = store.For(host);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !*found) return "none";
    return (*found)->username + ":" + (*found)->password;
  }
  testing::ScratchDir dir_;
  std::string kiln_file_ = dir_.Sub("state/auth.json");
};

TEST_F(CredentialStoreTest, SaveThenLookupThenRemove) {
  CredentialStore store(kiln_file_, {});
  EXPECT_EQ(Found(store, "127.0.0.1:5000"), "none");
  ASSERT_TRUE(store.Save("127.0.0.1:5000", {"ci", "s3cret:with:colons"}).ok());
  EXPECT_EQ(Found(store, "127.0.0.1:5000"), "ci:s3cret:with:colons");
  EXPECT_EQ(Found(store, "127.0.0.1:5001"), "none");
  auto text = ReadFile(kiln_file_);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("s3cret"), std::string::npos) << "stored as base64, as docker does";
  ASSERT_TRUE(store.Remove("127.0.0.1:5000").ok());
  EXPECT_EQ(Found(store, "127.0.0.1:5000"), "none");
  EXPECT_EQ(store.Remove("127.0.0.1:5000").code(), Code::kNotFound);
}

TEST_F(CredentialStoreTest, SaveReplacesTheHostAndKeepsTheOthers) {
  Write("auth.json", R"({"auths": {"https://a:1/v1/": {"auth": "eDp5"}, "b:2": {"auth": "eDp5"}},
                        "other": true})");
  CredentialStore store(dir_.Sub("auth.json"), {});
  ASSERT_TRUE(store.Save("a:1", {"new", "pw"}).ok());
  EXPECT_EQ(Found(store, "a:1"), "new:pw");
  EXPECT_EQ(Found(store, "b:2"), "x:y");
  auto config = ParseJson(*ReadFile(dir_.Sub("auth.json")));
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE((*config)["auths"].contains("https://a:1/v1/")) << "the old key of a:1 is gone";
  EXPECT_TRUE((*config)["other"].get<bool>()) << "unknown fields survive";
}

TEST_F(CredentialStoreTest, ModeIs0600WhateverTheUmask) {
  Write("state/auth.json", "{}");
  ASSERT_EQ(::chmod(kiln_file_.c_str(), 0644), 0);
  mode_t old = ::umask(0);
  Status saved = CredentialStore(kiln_file_, {}).Save("h", {"u", "p"});
  ::umask(old);
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  struct stat st {};
  ASSERT_EQ(::stat(kiln_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(CredentialStoreTest, ConcurrentSavesLoseNothing) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // A store each, as two kiln processes would have.
      CredentialStore store(kiln_file_, {});
      EXPECT_TRUE(store.Save("host" + std::to_string(i), {"u", std::to_string(i)}).ok());
    });
  }
  for (auto& t : threads) t.join();
  CredentialStore store(kiln_file_, {});
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(Found(store, "host" + std::to_string(i)), "u:" + std::to_string(i));
  }
}

TEST_F(CredentialStoreTest, KeyForms) {
  std::string file = Write("config.json", R"({"auths": {
      "https://h1:5000": {"auth": ")" + Base64Encode("a:1") +
                                              R"("},
      "h2:5000/v2/": {"auth": ")" + Base64Encode("b:2") +
                                              R"("},
      "https://index.docker.io/v1/": {"auth": ")" +
                                              Base64Encode("c:3") + R"("},
      "quay.io/org": {"auth": ")" + Base64Encode("d:4") +
                                              R"("},
      "h3": {"identitytoken": "tok"},
      "h4": {"username": "e", "password": "5"}}})");
  CredentialStore store(kiln_file_, {file});
  EXPECT_EQ(Found(store, "h1:5000"), "a:1");
  EXPECT_EQ(Found(store, "h2:5000"), "b:2");
  EXPECT_EQ(Found(store, "docker.io"), "c:3");
  EXPECT_EQ(Found(store, "quay.io"), "none") << "a namespace's key is not the host's";
  EXPECT_EQ(Found(store, "h3"), "<token>:tok");
  EXPECT_EQ(Found(store, "h4"), "e:5");
  EXPECT_EQ(Found(store, "h1"), "none");
}

TEST_F(CredentialStoreTest, FilesInOrderMissingOnesSkipped) {
  std::string first = Write("first.json", AuthJson("h", "first", "1"));
  std::string second = Write("second.json", AuthJson("h", "second", "2") + "\n");
  std::string other = Write("other.json", AuthJson("g", "other", "3"));
  CredentialStore fallbacks(kiln_file_, {dir_.Sub("missing.json"), other, first, second});
  EXPECT_EQ(Found(fallbacks, "h"), "first:1");
  EXPECT_EQ(Found(fallbacks, "g"), "other:3");
  ASSERT_TRUE(fallbacks.Save("h", {"kiln", "0"}).ok());
  EXPECT_EQ(Found(fallbacks, "h"), "kiln:0") << "kiln's own file comes first";
}

TEST_F(CredentialStoreTest, MalformedFileIsAnErrorNamingItNeverTheSecret) {
  std::string secret = Base64Encode("user:hunter2hunter2");
  for (const std::string& text :
       {R"({"auths": {"h": {"auth": ")" + secret,  // cut short
        R"({"auths": {"h": {"auth": "!)" + secret + R"("}}})",
        R"({"auths": {"h": {"auth": ")" + Base64Encode("no colon hunter2") + R"("}}})",
        std::string(R"({"auths": ["hunter2"]})")}) {
    std::string file = Write("bad.json", text);
    CredentialStore store(kiln_file_, {file});
    auto found = store.For("h");
    ASSERT_FALSE(found.ok()) << text;
    EXPECT_EQ(found.status().code(), Code::kInvalidArgument);
    EXPECT_NE(found.status().message().find(file), std::string::npos) << found.status().message();
    EXPECT_EQ(found.status().message().find("hunter2"), std::string::npos)
        << found.status().message();
    EXPECT_EQ(found.status().message().find(secret.substr(0, 8)), std::string::npos)
        << found.status().message();
  }
}

TEST_F(CredentialStoreTest, HelperHostsHaveNoCredentialsHere) {
  std::string file = Write("config.json", R"({"credHelpers": {"h:1": "pass"},
      "credsStore": "desktop",
      "auths": {"h:1": {"auth": ")" + Base64Encode("u:p") +
                                              R"("}, "h:2": {},
                "h:3": {"auth": ")" + Base64Encode("v:q") +
                                              R"("}}})");
  CredentialStore store(kiln_file_, {file});
  EXPECT_EQ(Found(store, "h:1"), "none") << "credHelpers wins over auths, as in docker";
  EXPECT_EQ(Found(store, "h:2"), "none") << "an empty entry of a credsStore";
  EXPECT_EQ(Found(store, "h:4"), "none");
  EXPECT_EQ(Found(store, "h:3"), "v:q") << "an inline auth is still used";
}

TEST(DefaultAuthFilesTest, PodmansOrderFromTheEnvironment) {
  std::string run = "/run/containers/" + std::to_string(::getuid()) + "/auth.json";
  ::unsetenv("XDG_CONFIG_HOME");
  ::setenv("REGISTRY_AUTH_FILE", "/a/auth.json", 1);
  ::setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  ::setenv("DOCKER_CONFIG", "/d", 1);
  ::setenv("HOME", "/home/me", 1);
  // podman reads only REGISTRY_AUTH_FILE when it is set.
  EXPECT_EQ(DefaultAuthFiles(), (std::vector<std::string>{"/a/auth.json"}));
  ::unsetenv("REGISTRY_AUTH_FILE");
  EXPECT_EQ(DefaultAuthFiles(),
            (std::vector<std::string>{"/run/user/7/containers/auth.json",
                                      "/home/me/.config/containers/auth.json", "/d/config.json"}));
  ::setenv("XDG_CONFIG_HOME", "/cfg", 1);
  EXPECT_EQ(DefaultAuthFiles(),
            (std::vector<std::string>{"/run/user/7/containers/auth.json",
                                      "/cfg/containers/auth.json", "/d/config.json"}));
  ::unsetenv("XDG_CONFIG_HOME");
  ::unsetenv("XDG_RUNTIME_DIR");  // root under sudo
  ::unsetenv("DOCKER_CONFIG");
  EXPECT_EQ(DefaultAuthFiles(),
            (std::vector<std::string>{run, "/home/me/.config/containers/auth.json",
                                      "/home/me/.docker/config.json"}));
  ::unsetenv("HOME");
  EXPECT_EQ(DefaultAuthFiles(), (std::vector<std::string>{run}));
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", "user:pass",
                                                       std::string("\0\xff\x10", 3)}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(*Base64Decode("dXNlcjpwYXM"), "user:pas") << "padding is optional";
  EXPECT_FALSE(Base64Decode("dXN!").has_value());
  EXPECT_FALSE(Base64Decode("a").has_value());
}

TEST(AuthKeyHostTest, Forms) {
  EXPECT_EQ(AuthKeyHost("h:5000"), "h:5000");
  EXPECT_EQ(AuthKeyHost("https://h:5000"), "h:5000");
  EXPECT_EQ(AuthKeyHost("http://h:5000/"), "h:5000");
  EXPECT_EQ(AuthKeyHost("h:5000/v2/"), "h:5000");
  EXPECT_EQ(AuthKeyHost("h:5000/v1"), "h:5000");
  EXPECT_EQ(AuthKeyHost("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(AuthKeyHost("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(AuthKeyHost("quay.io/org"), "quay.io/org");
}

}  // namespace
}  // namespace kiln::registry
