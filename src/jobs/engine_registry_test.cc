// The engine's registry side on the fake registry: the resolver pulls a registry reference
// through the engine's client for its host, with the credentials kiln login stored.
#include <gtest/gtest.h>

#include <mutex>

#include "base/fs.h"
#include "images/registry_test_util.h"
#include "jobs/engine.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::jobs {
namespace {

TEST(EngineRegistryTest, TheResolverPullsWithTheStoredCredentials) {
  testing::ScratchDir dir;
  registry::FakeRegistryOptions fo;
  fo.auth = registry::FakeRegistryOptions::Auth::kBasic;
  fo.credentials = {"ci", "pa55-word"};
  auto fake = std::make_unique<registry::FakeRegistry>(fo);
  registry::FakeRegistry* registry = fake.get();
  EngineOptions o;
  o.state_dir = dir.Sub("state");
  o.transport = std::move(fake);
  o.retry = {1, 0, 0, [](double) {}};
  Engine engine(std::move(o));
  const std::string ref = "registry.test/team/tool:1.0";
  auto resolver = engine.Resolver();
  ASSERT_TRUE(resolver.ok());
  auto anonymous = (*resolver)->Prepare(ref, {});
  ASSERT_FALSE(anonymous.ok());
  EXPECT_NE(anonymous.status().message().find("kiln login"), std::string::npos)
      << anonymous.status().ToString();

  ASSERT_TRUE(engine.Credentials().Save("registry.test", fo.credentials).ok());
  auto client = engine.Registry("registry.test");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(*engine.Registry("registry.test"), *client);  // one client per host
  images::TestImage img = images::MakeImage(
      {{testing::TarBuilder().File("tool", "v1").Bytes(), oci::Compression::kGzip}});
  images::PutInRegistry(*registry, **client, "team/tool", img, "1.0");
  std::string log;
  auto image = (*resolver)->Prepare(ref, [&](const std::string& l) { log += l + "\n"; });
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->digest(), img.manifest.descriptor.digest);
  ASSERT_EQ(image->lower_dirs.size(), 1u);
  EXPECT_EQ(*ReadFile(image->lower_dirs[0] + "/tool"), "v1");
  EXPECT_NE(log.find("pulled " + ref), std::string::npos) << log;
  EXPECT_EQ(log.find("pa55-word"), std::string::npos);
}

// Records the TLS policy of each request, then passes it on.
class TlsRecorder : public registry::Transport {
 public:
  explicit TlsRecorder(std::unique_ptr<registry::Transport> inner) : inner_(std::move(inner)) {}
  Result<registry::Response> Do(const registry::Request& request) override {
    {
      std::lock_guard lock(mu_);
      seen_.emplace_back(request.url, request.tls);
    }
    return inner_->Do(request);
  }
  // The TLS policy of the last request whose URL starts with `prefix`.
  registry::TlsPolicy Last(const std::string& prefix) {
    std::lock_guard lock(mu_);
    for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
      if (it->first.rfind(prefix, 0) == 0) return it->second;
    }
    ADD_FAILURE() << "no request to " << prefix;
    return {};
  }

 private:
  std::unique_ptr<registry::Transport> inner_;
  std::mutex mu_;
  std::vector<std::pair<std::string, registry::TlsPolicy>> seen_;
};

TEST(EngineRegistryTest, CertDirIsTheNamedHostsAlone) {
  testing::ScratchDir dir;
  std::string certs = dir.Sub("certs");
  ASSERT_TRUE(MakeDirs(certs).ok());
  for (const char* f : {"ca.crt", "client.cert", "client.key"}) {
    ASSERT_TRUE(WriteFileAtomic(certs + "/" + f, "x", 0600).ok());
  }
  auto recorder = std::make_unique<TlsRecorder>(std::make_unique<registry::FakeRegistry>());
  TlsRecorder* seen = recorder.get();
  EngineOptions o;
  o.state_dir = dir.Sub("state");
  o.transport = std::move(recorder);
  o.retry = {1, 0, 0, [](double) {}};
  o.cert_dir = certs;
  o.cert_dir_host = "registry.test";
  Engine engine(std::move(o));
  ASSERT_TRUE((*engine.Registry("registry.test"))->Ping().ok());
  EXPECT_EQ(seen->Last("https://registry.test/").ca_file, certs + "/ca.crt");
  EXPECT_EQ(seen->Last("https://registry.test/").client_cert, certs + "/client.cert");
  (void)(*engine.Registry("other.test"))->Ping();  // the fake serves registry.test alone
  EXPECT_EQ(seen->Last("https://other.test/").ca_file, "");
  EXPECT_EQ(seen->Last("https://other.test/").client_cert, "") << "not another host's cert";
}

}  // namespace
}  // namespace kiln::jobs
