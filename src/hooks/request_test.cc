#include <gtest/gtest.h>

#include "base/sha256.h"
#include "hooks/hook.h"

namespace kiln::hooks {
namespace {

HookContext Context(std::map<std::string, std::string> env, std::vector<std::string>* logs) {
  HookContext ctx;
  ctx.getenv = [env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  ctx.log = [logs](const std::string& m) { logs->push_back(m); };
  return ctx;
}

TEST(PodKeyFor, PlainNamesReadableOthersHashed) {
  std::vector<std::string> logs;
  EXPECT_EQ(*PodKeyFor(Context({{"RUNNER_NAME", "runner-1"}}, &logs)), "gh-runner-1");
  std::string name57(57, 'r'), name64(64, 'r');
  EXPECT_EQ(*PodKeyFor(Context({{"RUNNER_NAME", name57}}, &logs)), "gh-" + name57);
  // Too long for a plain key, or other characters: "gh-" + 32 hex of sha256(name).
  for (const std::string& name :
       {name64, std::string("my runner/1"), std::string("rünner ü"), std::string("..")}) {
    auto key = PodKeyFor(Context({{"RUNNER_NAME", name}}, &logs));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(*key, "gh-" + Sha256::Hex(name).substr(0, 32)) << name;
    EXPECT_EQ(key->size(), 35u);
  }
  EXPECT_EQ(PodKeyFor(Context({}, &logs)).status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(PodKeyFor(Context({{"RUNNER_NAME", ""}}, &logs)).ok());
}

TEST(ToRequest, MapsTheContainer) {
  std::vector<std::string> logs;
  HookContext ctx = Context({{"FROM_HOOK", "v"}}, &logs);
  ctx.image_map = {{"redis", "busybox:1"}};
  ContainerInfo info;
  info.image = "redis";
  info.context_name = "redis";
  info.entry_point = "redis-server";
  info.entry_point_args = {"--port", "6379"};
  info.env = {{"A", "1"}};
  info.create_options = "--cpus 1 -e FROM_HOOK --health-cmd 'redis-cli ping'";
  info.user_mounts = {{"/var/run/docker.sock", "/var/run/docker.sock", false},
                      {"cache", "/cache", false}};
  info.system_mounts = {{"/host/externals", "/__e", true}};
  info.port_mappings = {"8080:80"};
  info.registry = Registry{"u", "p", "https://index.docker.io/v1"};
  auto r = ToRequest(ctx, info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->image, "busybox:1");
  EXPECT_EQ(r->aliases, std::vector<std::string>{"redis"});
  EXPECT_EQ(*r->entrypoint, std::vector<std::string>{"redis-server"});
  EXPECT_EQ(*r->args, (std::vector<std::string>{"--port", "6379"}));
  EXPECT_EQ(r->env,
            (std::vector<std::string>{"A=1", "GITHUB_ACTIONS=true", "CI=true", "FROM_HOOK=v"}));
  ASSERT_EQ(r->mounts.size(), 2u);  // docker.sock skipped
  EXPECT_EQ(r->mounts[0].source, "cache");
  EXPECT_TRUE(r->mounts[1].read_only);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(logs[0].find("docker.sock"), std::string::npos);
  EXPECT_EQ(r->size, "1x1");
  ASSERT_TRUE(r->health);
  EXPECT_EQ(r->registry_password, "");  // for redis, not for the image mapped in its place
  info.image = "redis:7";
  auto unmapped = ToRequest(ctx, info);
  ASSERT_TRUE(unmapped.ok());
  EXPECT_EQ(unmapped->image, "redis:7");
  EXPECT_EQ(unmapped->registry_username, "u");
  EXPECT_EQ(unmapped->registry_password, "p");
  EXPECT_EQ(unmapped->registry_server, "https://index.docker.io/v1");
  ASSERT_EQ(r->ports.size(), 1u);
  EXPECT_EQ(r->ports[0].host_port, 8080);

  info.create_options = "--privileged";
  auto bad = ToRequest(ctx, info);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--privileged"), std::string::npos);
}

TEST(ToRequest, PortsAsRuntimeReadsThem) {
  std::vector<std::string> logs;
  HookContext ctx = Context({}, &logs);
  ContainerInfo info;
  info.image = "busybox:1";
  info.port_mappings = {"127.0.0.1::53/udp", "6379"};
  auto r = ToRequest(ctx, info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->ports.size(), 2u);
  EXPECT_EQ(r->ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(r->ports[0].protocol, "udp");
  EXPECT_EQ(r->ports[1].container_port, 6379);
  for (const char* bad : {"300.1.1.1:80:80", "host:80:80", "80/sctp", "70000:80"}) {
    info.port_mappings = {bad};
    EXPECT_FALSE(ToRequest(ctx, info).ok()) << bad;
  }
}

}  // namespace
}  // namespace kiln::hooks
