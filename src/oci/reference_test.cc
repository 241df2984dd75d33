// oci::Reference: the cases docker/distribution and podman settled (reference_test.go,
// normalize_test.go), as a table of our own.
#include "oci/reference.h"

#include <gtest/gtest.h>

#include <random>

namespace kiln::oci {
namespace {

const std::string kHex(64, 'f');
const std::string kSha = "sha256:" + kHex;

struct Good {
  std::string input, domain, path, tag, digest;
};

TEST(Reference, ParsesTheGrammar) {
  const Good cases[] = {
      {"toolbox", "", "toolbox", "", ""},
      {"test_com", "", "test_com", "", ""},
      {"test.com:tag", "", "test.com", "tag", ""},
      {"test.com:5000", "", "test.com", "5000", ""},
      {"test.com/repo:tag", "test.com", "repo", "tag", ""},
      {"test:5000/repo", "test:5000", "repo", "", ""},
      {"test:5000/repo:tag", "test:5000", "repo", "tag", ""},
      {"test:5000/repo@" + kSha, "test:5000", "repo", "", kSha},
      {"test:5000/repo:tag@" + kSha, "test:5000", "repo", "tag", kSha},
      {"lowercase:Uppercase", "", "lowercase", "Uppercase", ""},
      {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
       "some-long-tag", ""},
      {"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
       "test.example.com", ""},
      {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", ""},
      {"foo_bar.com:8080", "", "foo_bar.com", "8080", ""},
      // Unlike distribution's Parse, docker's CLI rule: "foo" is no host, so it is part of the
      // path.
      {"foo/foo_bar.com:8080", "", "foo/foo_bar.com", "8080", ""},
      {"docker/docker", "", "docker/docker", "", ""},
      {"192.168.1.1", "", "192.168.1.1", "", ""},
      {"192.168.1.1:5000", "", "192.168.1.1", "5000", ""},
      {"192.168.1.1/repo", "192.168.1.1", "repo", "", ""},
      {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", ""},
      {"127.0.0.1:5000/team/tool:1.0", "127.0.0.1:5000", "team/tool", "1.0", ""},
      {"localhost/debian", "localhost", "debian", "", ""},
      {"localhost:5000/fedora:latest", "localhost:5000", "fedora", "latest", ""},
      {"LOCALDOMAIN/library/debian", "LOCALDOMAIN", "library/debian", "", ""},
      {"Docker/docker", "Docker", "docker", "", ""},
      {"[2001:db8::1]/repo", "[2001:db8::1]", "repo", "", ""},
      {"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", ""},
      {"[::1]:5000/repo", "[::1]:5000", "repo", "", ""},
      {"[2001:db8::1]:5000/repo:tag@" + kSha, "[2001:db8::1]:5000", "repo", "tag", kSha},
      {"docker.io/" + std::string(64, 'a'), "docker.io", std::string(64, 'a'), "", ""},
      {std::string(63, 'a'), "", std::string(63, 'a'), "", ""},
      {"dock__er/docker---rules", "", "dock__er/docker---rules", "", ""},
      {"busybox:latest@" + kSha, "", "busybox", "latest", kSha},
      {"a:" + std::string(128, 'T'), "", "a", std::string(128, 'T'), ""},
      {"a:_x", "", "a", "_x", ""},
      {kSha, "", "", "", kSha},
      {"sha256:" + kHex + "@" + kSha, "", "sha256", kHex, kSha},
  };
  for (const auto& c : cases) {
    auto r = Reference::Parse(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.status().ToString();
    EXPECT_EQ(r->domain, c.domain) << c.input;
    EXPECT_EQ(r->path, c.path) << c.input;
    EXPECT_EQ(r->tag, c.tag) << c.input;
    EXPECT_EQ(r->digest ? r->digest->str() : "", c.digest) << c.input;
    EXPECT_EQ(r->ToString(), c.input);
    EXPECT_EQ(r->IsDigestOnly(), c.path.empty()) << c.input;
  }
}

TEST(Reference, RefusesWhatTheGrammarRefuses) {
  const std::string too_long = [] {
    std::string s;
    for (int i = 0; i < 128; ++i) s += "a/";
    return s + "a:tag";
  }();
  const std::string bad[] = {
      "",
      ":justtag",
      "@" + kSha,
      "repo@sha256:ffff",
      "validname@invaliddigest:" + kHex,
      "Uppercase:tag",
      "test:5000/Uppercase/lowercase:tag",
      "docker/Docker",
      too_long,
      "aa/asdf$$^/aa",
      "[2001:db8::1]",
      "[2001:db8::1]:5000",
      "[2001:db8::1]:tag",
      "[fe80::1%eth0]:5000/repo",
      "[fe80::1%@invalidzone]:5000/repo",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "fc00::1:5000/debian",
      "https://github.com/docker/docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker/",
      "/docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      kHex,
      "a:" + std::string(129, 't'),
      "a:-tag",
      "a:.tag",
      "a:t@g",
      "repo:",
      "repo@",
      "host:/repo",
      "ho_st.com:80/repo",
      "host.com:8o/repo",
      "[::1/repo",
      "[]:5000/repo",
      "a b",
      "a\n",
      std::string("a\0b", 3),
      "a:tag:tag",
  };
  for (const auto& input : bad) {
    auto r = Reference::Parse(input);
    EXPECT_FALSE(r.ok()) << "accepted \"" << input << "\" as " << (r.ok() ? r->ToString() : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << input;
    }
  }
}

TEST(Reference, ErrorsSayWhatIsWrong) {
  auto upper = Reference::Parse("Foo:bar");
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.status().message(), "reference \"Foo:bar\": repository must be lower case");
  EXPECT_NE(Reference::Parse("a:-x").status().message().find("tag \"-x\" must start with"),
            std::string::npos);
  EXPECT_NE(Reference::Parse("h.io:x/a").status().message().find("registry host \"h.io:x\""),
            std::string::npos);
  EXPECT_NE(Reference::Parse("").status().message().find("is empty"), std::string::npos);
}

TEST(Reference, RegistryDefaultsAreDockers) {
  auto norm = [](const std::string& in) {
    auto r = Reference::Parse(in);
    EXPECT_TRUE(r.ok()) << in;
    auto d = r.ok() ? r->WithRegistryDefaults() : Result<Reference>(r.status());
    EXPECT_TRUE(d.ok()) << in;
    return d.ok() ? d->ToString() : "";
  };
  EXPECT_EQ(norm("toolbox"), "docker.io/library/toolbox:latest");
  EXPECT_EQ(norm("redis:7"), "docker.io/library/redis:7");
  EXPECT_EQ(norm("redis@" + kSha), "docker.io/library/redis@" + kSha);
  EXPECT_EQ(norm("busybox:latest@" + kSha), "docker.io/library/busybox:latest@" + kSha);
  EXPECT_EQ(norm("dmcgowan/myapp"), "docker.io/dmcgowan/myapp:latest");
  EXPECT_EQ(norm("docker.io/foo"), "docker.io/library/foo:latest");
  EXPECT_EQ(norm("index.docker.io/foo"), "docker.io/library/foo:latest");
  EXPECT_EQ(norm("docker.io/library/foo/bar"), "docker.io/library/foo/bar:latest");
  EXPECT_EQ(norm("test_com/foo"), "docker.io/test_com/foo:latest");
  EXPECT_EQ(norm("127.0.0.1:8000/privatebase"), "127.0.0.1:8000/privatebase:latest");
  EXPECT_EQ(norm("example.com/private/moonbase:1"), "example.com/private/moonbase:1");
  EXPECT_EQ(norm("localhost/fedora"), "localhost/fedora:latest");
  EXPECT_EQ(norm(kSha), kSha);
  // Docker refuses a name that the defaults make too long (found by the fuzzer).
  // The cap counts "docker.io/library/" (18 bytes), as docker's does.
  auto over = Reference::Parse(std::string(238, 'a'));
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->WithRegistryDefaults().status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Reference::Parse(std::string(237, 'a'))->WithRegistryDefaults().ok());
  // Without a registry nothing is added but the tag.
  auto local = Reference::Parse("toolbox");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->ToString(), "toolbox");
  EXPECT_EQ(local->Repository(), "toolbox");
  EXPECT_EQ(local->WithDefaultTag().ToString(), "toolbox:latest");
  EXPECT_EQ(Reference::Parse("a@" + kSha)->WithDefaultTag().ToString(), "a@" + kSha);
}

// No input aborts, and what parses prints back to something that parses to the same value.
TEST(Reference, RandomInputsRoundTrip) {
  const std::string alphabet = "ab.AZ09_-:/@[]%:sha256f";
  std::mt19937 rng(8);
  int parsed = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    int len = std::uniform_int_distribution<int>(0, 24)(rng);
    for (int k = 0; k < len; ++k)
      s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    if (i % 7 == 0) s += "@" + kSha;
    auto r = Reference::Parse(s);
    if (!r.ok()) continue;
    ++parsed;
    EXPECT_EQ(r->ToString(), s);
    auto again = Reference::Parse(r->ToString());
    ASSERT_TRUE(again.ok()) << s;
    EXPECT_EQ(*again, *r) << s;
    auto with = r->WithRegistryDefaults();
    if (!with.ok()) continue;
    auto defaults = Reference::Parse(with->ToString());
    ASSERT_TRUE(defaults.ok()) << s;
    EXPECT_EQ(*defaults, *with) << s;
  }
  EXPECT_GT(parsed, 500);
}

}  // namespace
}  // namespace kiln::oci
