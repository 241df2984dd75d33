#include "workflow/container_request.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kiln::workflow {
namespace {

Container Sample() {
  Container k;
  k.pos = {"ci.yml", 8, 7};
  k.image = "postgres:${{ matrix.pg }}";
  k.env = {{"PASSWORD", "${{ secrets.PW }}"}};
  k.ports = {"${{ matrix.port }}:5432"};
  k.volumes = {"data:/var/lib/pg", "/srv/seed:/seed:ro"};
  k.options = "--health-cmd pg_isready --health-retries ${{ matrix.retries }} --cpus 1";
  k.username = "me";
  k.password = "${{ secrets.PW }}";
  return k;
}

ExprContext Context() {
  ExprContext e;
  e.contexts["matrix"] = {{"pg", "16"}, {"port", "15432"}, {"retries", "7"}};
  e.contexts["secrets"] = {{"PW", "hunter2"}};
  return e;
}

TEST(ContainerRequestTest, InterpolatesEveryFieldAndAppliesOptionsAtRunTime) {
  auto r = MakeContainerRequest(Sample(), "db", Context());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "db");
  EXPECT_EQ(r->image, "postgres:16");
  EXPECT_EQ(r->env, std::vector<std::string>{"PASSWORD=hunter2"});
  ASSERT_EQ(r->ports.size(), 1u);
  EXPECT_EQ(r->ports[0].host_port, 15432);
  EXPECT_EQ(r->ports[0].container_port, 5432);
  ASSERT_EQ(r->mounts.size(), 2u);
  EXPECT_EQ(r->mounts[0].source, "data");
  EXPECT_FALSE(r->mounts[0].read_only);
  EXPECT_EQ(r->mounts[1].destination, "/seed");
  EXPECT_TRUE(r->mounts[1].read_only);
  ASSERT_TRUE(r->health);
  EXPECT_EQ(r->health->retries, 7);
  EXPECT_EQ(r->size, "1x1");
  EXPECT_EQ(r->registry_username, "me");
  EXPECT_EQ(r->registry_password, "hunter2");
}

TEST(ContainerRequestTest, AnOptionRefusedAfterInterpolationNamesThePlaceNotTheSecret) {
  Container k = Sample();
  k.options = "${{ matrix.opts }}";
  ExprContext e = Context();
  e.contexts["matrix"]["opts"] = "--privileged";
  auto r = MakeContainerRequest(k, "db", e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("ci.yml:8:7: options: ", 0), 0u) << r.status().message();
  EXPECT_NE(r.status().message().find("--privileged"), std::string::npos);
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos);
}

// `-e NAME` would copy kiln's own environment into the container: refused, at parse time and
// (options from an expression) at run time, naming the place.
TEST(ContainerRequestTest, BareEnvOptionIsRefused) {
  ::setenv("KILN_TEST_HOST_TOKEN", "host-token", 1);
  for (const char* opt : {"--env KILN_TEST_HOST_TOKEN", "-e KILN_TEST_HOST_TOKEN",
                          "--cpus 1 --env=KILN_TEST_HOST_TOKEN"}) {
    Container k;
    k.pos = {"ci.yml", 8, 7};
    k.image = "alpine";
    k.options = opt;
    Status check = CheckContainer(k);
    EXPECT_FALSE(check.ok()) << opt;
    EXPECT_NE(check.message().find("env:"), std::string::npos) << check.message();
    k.options = "${{ matrix.o }}";
    ExprContext e;
    e.contexts["matrix"] = {{"o", opt}};
    auto r = MakeContainerRequest(k, "c", e);
    ASSERT_FALSE(r.ok()) << opt;
    EXPECT_NE(r.status().message().find("ci.yml:8:7: "), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("host-token"), std::string::npos);
  }
  Container k;
  k.image = "alpine";
  k.options = "-e A=1";
  auto ok = MakeContainerRequest(k, "c", ExprContext());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->env, std::vector<std::string>{"A=1"});
}

TEST(ContainerRequestTest, VolumeSpecs) {
  auto v = ParseVolumeSpec("/a:/b:ro");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->source, "/a");
  EXPECT_TRUE(v->read_only);
  EXPECT_FALSE(ParseVolumeSpec("a:b").ok());      // relative container path
  EXPECT_FALSE(ParseVolumeSpec(":/b").ok());      // no source
  EXPECT_FALSE(ParseVolumeSpec("a:/b:zz").ok());  // unknown mode
  EXPECT_TRUE(ParseVolumeSpec("a:/b:rw").ok());
}

}  // namespace
}  // namespace kiln::workflow
