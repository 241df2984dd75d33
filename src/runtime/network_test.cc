// The pure parts of kiln networks: conflist, subnet choice, hosts and resolv.conf rendering,
// names, member and sandbox records.
#include "runtime/network.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "runtime/cni.h"
#include "runtime/etc_files.h"
#include "runtime/sandbox_record.h"
#include "testing/test_env.h"

namespace kiln::runtime {
namespace {

TEST(Conflist, BridgeHostLocalPortmapFirewallInOrder) {
  NetworkConfig c{"ci", "10.89.3.0/24", "10.89.3.1", "kiln3", "/state/networks/ci/ipam"};
  Json j = Conflist(c);
  EXPECT_EQ(j["cniVersion"], "1.0.0");
  EXPECT_EQ(j["name"], "ci");
  ASSERT_EQ(j["plugins"].size(), 3u);
  const Json& bridge = j["plugins"][0];
  EXPECT_EQ(bridge["type"], "bridge");
  EXPECT_EQ(bridge["bridge"], "kiln3");
  EXPECT_TRUE(bridge["isGateway"].get<bool>());
  EXPECT_TRUE(bridge["ipMasq"].get<bool>());
  EXPECT_EQ(bridge["ipam"]["type"], "host-local");
  EXPECT_EQ(bridge["ipam"]["dataDir"], "/state/networks/ci/ipam");
  EXPECT_EQ(bridge["ipam"]["ranges"][0][0]["subnet"], "10.89.3.0/24");
  EXPECT_EQ(bridge["ipam"]["ranges"][0][0]["gateway"], "10.89.3.1");
  EXPECT_EQ(j["plugins"][1]["type"], "portmap");
  EXPECT_TRUE(j["plugins"][1]["capabilities"]["portMappings"].get<bool>());
  EXPECT_EQ(j["plugins"][2]["type"], "firewall");
}

TEST(ReadHostsKept, WholeUpToTheCapNothingPastIt) {
  testing::ScratchDir dir;
  std::string small = "127.0.0.1 mine.test\n";
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("small"), small, 0644).ok());
  EXPECT_EQ(ReadHostsKept(dir.Sub("small")), small);
  std::string at_cap(kHostsReadMax, '#');
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("at_cap"), at_cap, 0644).ok());
  EXPECT_EQ(ReadHostsKept(dir.Sub("at_cap")), at_cap);
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("big"), at_cap + "#", 0644).ok());
  EXPECT_EQ(ReadHostsKept(dir.Sub("big")), "");
  EXPECT_EQ(ReadHostsKept(dir.Sub("absent")), "");
}

TEST(PortsClash, SameProtocolAndPortOnOverlappingAddresses) {
  PortMapping any{8080, 80, "tcp", ""}, lo{8080, 81, "tcp", "127.0.0.1"};
  EXPECT_TRUE(PortsClash(any, lo));
  EXPECT_TRUE(PortsClash(lo, lo));
  EXPECT_TRUE(PortsClash(PortMapping{8080, 80, "tcp", "0.0.0.0"}, lo));
  EXPECT_FALSE(PortsClash(lo, PortMapping{8080, 80, "tcp", "127.0.0.2"}));
  EXPECT_FALSE(PortsClash(any, PortMapping{8080, 80, "udp", ""}));
  EXPECT_FALSE(PortsClash(any, PortMapping{8081, 80, "tcp", ""}));
  EXPECT_EQ(HostPortText(any), "0.0.0.0:8080/tcp");
  EXPECT_EQ(HostPortText(lo), "127.0.0.1:8080/tcp");
}

TEST(ResultAddress, FirstIPv4WithoutPrefix) {
  Json r = Json::parse(R"({"ips":[{"address":"fd00::5/64"},{"address":"10.89.0.7/24"}]})");
  EXPECT_EQ(ResultAddress(r), "10.89.0.7");
  EXPECT_EQ(ResultAddress(Json()), "");
}

TEST(PickSubnet, SkipsTakenSubnetsAndHostRoutesButNotTheDefault) {
  auto c = PickSubnet({"10.89.0.0/24"}, {"default", "10.89.1.0/24", "10.89.2.128/25"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subnet, "10.89.3.0/24");
  EXPECT_EQ(c->gateway, "10.89.3.1");
  EXPECT_EQ(c->bridge, "kiln3");
  EXPECT_LE(c->bridge.size(), 15u);
  // A route covering the whole range leaves nothing.
  EXPECT_FALSE(PickSubnet({}, {"10.0.0.0/8"}).ok());
  EXPECT_EQ(PickSubnet({}, {"10.88.0.0/16", "192.168.0.0/16"})->subnet, "10.89.0.0/24");
}

TEST(MembersHosts, SelfFirstThenEveryOtherMemberWithItsAliases) {
  NetMember a, b, c;
  a.sandbox_id = "a", a.hostname = "web", a.aliases = {"www"}, a.address = "10.89.0.2";
  b.sandbox_id = "b", b.hostname = "db", b.aliases = {"postgres", "pg"}, b.address = "10.89.0.3";
  c.sandbox_id = "c", c.hostname = "joining";  // no address yet: not listed
  std::string hosts = MembersHosts(b, {a, b, c});
  EXPECT_EQ(hosts.find("127.0.0.1\tlocalhost\n"), 0u);
  std::string tail = hosts.substr(hosts.find("10.89."));
  EXPECT_EQ(tail, std::string("10.89.0.3\tdb postgres pg\n10.89.0.2\tweb www\n") + kHostsEnd);
  // What the sandbox added below the end line stays; a file without one is kept whole.
  std::string again = MembersHosts(b, {b}, hosts + "1.2.3.4 mine\n");
  EXPECT_EQ(again, LocalhostLines() + "10.89.0.3\tdb postgres pg\n" + kHostsEnd + "1.2.3.4 mine\n");
  std::string whole = MembersHosts(b, {b}, "5.6.7.8 theirs\n");
  EXPECT_EQ(whole,
            LocalhostLines() + "10.89.0.3\tdb postgres pg\n" + kHostsEnd + "5.6.7.8 theirs\n");
}

TEST(SandboxResolvConf, DropsLoopbackNameservers) {
  EXPECT_EQ(SandboxResolvConf("nameserver 127.0.0.53\noptions edns0\n"), "");
  EXPECT_EQ(SandboxResolvConf("search x\nnameserver 127.0.0.1\nnameserver 10.0.0.2\n"),
            "search x\nnameserver 10.0.0.2\n");
}

TEST(ParsePortMapping, AsPodmansDashP) {
  auto m = ParsePortMapping("8080:80");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->host_port, 8080);
  EXPECT_EQ(m->container_port, 80);
  EXPECT_EQ(m->protocol, "tcp");
  m = ParsePortMapping("127.0.0.1::53/udp");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->host_ip, "127.0.0.1");
  EXPECT_EQ(m->host_port, 0);
  EXPECT_EQ(m->protocol, "udp");
  EXPECT_EQ(ParsePortMapping("5432")->host_port, 0);
  for (const char* bad : {"", "x", "80:0", "1:2:3:4", "80/sctp", "70000", "bad-ip:1:2", ":"})
    EXPECT_FALSE(ParsePortMapping(bad).ok()) << bad;
}

TEST(ValidateNetworkName, PathSafeAndNotReserved) {
  EXPECT_TRUE(ValidateNetworkName("kiln").ok());
  EXPECT_TRUE(ValidateNetworkName("pod-12_a.b").ok());
  for (const char* bad : {"", "host", "none", ".x", "a/b", "a b", "../x"})
    EXPECT_FALSE(ValidateNetworkName(bad).ok()) << bad;
}

TEST(MemberRecord, RoundTrips) {
  NetMember m;
  m.sandbox_id = "kiln-1", m.hostname = "h", m.aliases = {"x"}, m.hosts_file = "/s/etc/hosts";
  m.netns = "/s/netns", m.ports = {{8080, 80, "tcp", "127.0.0.1"}}, m.address = "10.89.0.9";
  m.cni_result = Json::parse(R"({"ips":[]})");
  auto back = MemberFromJson(MemberToJson(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(DumpJson(MemberToJson(*back)), DumpJson(MemberToJson(m)));
}

TEST(SandboxRecord, KeepsNetworkAliasesAndPorts) {
  SandboxSpec s;
  s.name = "n";
  s.network = "ci";
  s.aliases = {"db"};
  s.ports = {{0, 5432, "tcp", ""}};
  auto back = SpecFromJson(SpecToJson(s, 1), nullptr);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->network, "ci");
  EXPECT_EQ(back->aliases, std::vector<std::string>{"db"});
  ASSERT_EQ(back->ports.size(), 1u);
  EXPECT_EQ(back->ports[0].container_port, 5432);
  SandboxSpec other = s;
  other.aliases = {"cache"};
  EXPECT_NE(PoolKey(s), PoolKey(other));
}

}  // namespace
}  // namespace kiln::runtime
