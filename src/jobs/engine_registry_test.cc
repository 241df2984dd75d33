// The engine's registry side on the fake registry: the resolver pulls a registry reference
// through the engine's client for its host, with the credentials kiln login stored.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kiln::jobs
