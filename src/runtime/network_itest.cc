// crun sandboxes on kiln networks (network.h, sandbox_net.h): names, published ports, the
// fence around the host, and nothing left behind after destroy or a killed kiln's sweep.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "runtime/netns.h"
#include "runtime/network.h"
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {
namespace {

std::vector<std::string> Split(const std::string& words) {
  std::vector<std::string> out;
  std::istringstream in(words);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class NetworkSandboxes : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
    net_ = "t" + std::to_string(::getpid());
  }
  SandboxSpec OnNet(const std::string& host, std::vector<std::string> aliases = {}) {
    SandboxSpec spec = BaseSpec();
    spec.hostname = host;
    spec.network = net_;
    spec.aliases = std::move(aliases);
    return spec;
  }
  std::unique_ptr<Sandbox> Make(const SandboxSpec& spec) {
    auto s = env_.runtime->Create(spec);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string Out(Sandbox& s, const std::string& script, int want = 0) {
    auto [code, lines] = Sh(s, script);
    std::string out;
    for (const auto& l : lines) out += l.substr(2) + "\n";
    EXPECT_EQ(code, want) << script << "\n" << out;
    return out;
  }
  // A web server in `s` on port 80 serving `body` (busybox httpd daemonizes).
  void Serve(Sandbox& s, const std::string& body) {
    Out(s, "mkdir -p /www && echo " + body + " > /www/index.html && httpd -p 80 -h /www");
  }
  std::string NetDir() const { return env_.state_dir + "/networks/" + net_; }
  // "NAME:IFINDEX" of a host link ("NAME:" when it is gone): a bridge name another test reuses
  // at once (subnets and so names are picked lowest first) has a new index, so is no leftover.
  static std::string LinkId(const std::string& name) {
    auto index = ReadFile("/sys/class/net/" + name + "/ifindex");
    return name + ":" + (index.ok() ? *index : "");
  }
  // Host-side links of the sandboxes (the veths) and the bridge, from their CNI results.
  std::set<std::string> HostLinks() {
    std::set<std::string> out;
    auto members = ListDir(NetDir() + "/members");
    for (const auto& m : members.ok() ? *members : std::vector<std::string>{}) {
      auto j = ParseJson(*ReadFile(NetDir() + "/members/" + m));
      for (const auto& i : (*j)["cni_result"]["interfaces"])
        if (!i.contains("sandbox")) out.insert(LinkId(i["name"].get<std::string>()));
    }
    return out;
  }
  void ExpectNothingLeft(const std::set<std::string>& links) {
    EXPECT_FALSE(PathExists(NetDir())) << "network dir (and its leases) left";
    for (const auto& l : links) {
      std::string name = l.substr(0, l.rfind(':'));
      EXPECT_NE(LinkId(name), l) << "link " << name << " left";
    }
    auto mounts = ReadFile("/proc/self/mountinfo");
    EXPECT_EQ(mounts->find(env_.state_dir + "/sandboxes"), std::string::npos)
        << "a netns or overlay mount left";
  }
  std::string net_;
};

TEST_F(NetworkSandboxes, TwoSandboxesReachEachOtherByAliasAndHostname) {
  auto a = Make(OnNet("alpha", {"db", "cache"}));
  ASSERT_TRUE(a);
  Out(*a, "echo '127.0.0.1 mine.test' >> /etc/hosts");  // the sandbox's own, kept on rewrites
  auto b = Make(OnNet("beta"));
  ASSERT_TRUE(b);
  EXPECT_NE(a->Address(), "");
  EXPECT_NE(a->Address(), b->Address());
  Serve(*a, "from-alpha");
  EXPECT_EQ(Out(*b, "wget -q -O- http://db/"), "from-alpha\n");
  EXPECT_EQ(Out(*b, "wget -q -O- http://alpha/"), "from-alpha\n");
  std::string hosts = Out(*a, "cat /etc/hosts");
  EXPECT_NE(hosts.find(a->Address() + "\talpha db cache\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find(b->Address() + "\tbeta\n"), std::string::npos) << hosts;
  EXPECT_EQ(Out(*a, "hostname -i"), a->Address() + "\n");
  EXPECT_NE(hosts.find("\n127.0.0.1 mine.test\n"), std::string::npos) << hosts;
  // A leaver's name goes from the others' hosts files.
  ASSERT_TRUE(b->Destroy().ok());
  EXPECT_EQ(Out(*a, "cat /etc/hosts").find("beta"), std::string::npos);
  EXPECT_TRUE(PathExists(NetDir()));
}

// kiln networks are isolated from each other (as docker's bridge networks are): a sandbox
// reaches its own network's members but not another network's, though both are routed through
// the host.
TEST_F(NetworkSandboxes, OtherNetworksAreUnreachable) {
  auto a = Make(OnNet("a1"));
  SandboxSpec other = OnNet("b1");
  other.network = net_ + "b";
  auto b = Make(other);
  auto a2 = Make(OnNet("a2"));
  ASSERT_TRUE(a && b && a2);
  Serve(*a, "from-a");
  EXPECT_EQ(Out(*a2, "wget -q -O- http://" + a->Address() + "/"), "from-a\n");
  std::string out = Out(*b, "nc -w 3 " + a->Address() + " 80 </dev/null 2>&1", 1);
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
  Serve(*b, "from-b");
  out = Out(*a, "nc -w 3 " + b->Address() + " 80 </dev/null 2>&1", 1);
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
}

// A sandbox that fills its /etc/hosts makes kiln load at most kHostsReadMax of it: past that,
// the next rewrite keeps only kiln's part.
TEST_F(NetworkSandboxes, AnOversizedHostsFileIsNotKept) {
  auto a = Make(OnNet("big"));
  ASSERT_TRUE(a);
  Out(*a, "head -c 200000 /dev/zero | tr '\\0' '#' >> /etc/hosts");
  auto b = Make(OnNet("small"));
  ASSERT_TRUE(b);
  std::string hosts = Out(*a, "cat /etc/hosts");
  EXPECT_LT(hosts.size(), kHostsReadMax);
  EXPECT_NE(hosts.find(b->Address() + "\tsmall\n"), std::string::npos) << hosts.substr(0, 500);
}

TEST_F(NetworkSandboxes, PublishedPortAnswersOnTheHost) {
  SandboxSpec spec = OnNet("web");
  spec.ports = {{0, 80, "tcp", ""}};
  auto s = Make(spec);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->PublishedPorts().size(), 1u);
  uint16_t port = s->PublishedPorts()[0].host_port;
  EXPECT_NE(port, 0);
  // The replies' exception is no way around the fence: from the published port as its source,
  // 169.254.169.254 and other kiln networks stay fenced (curl in the sandbox's namespace: busybox
  // nc cannot pick its source port).
  std::string netns = env_.state_dir + "/sandboxes/" + s->id() + "/netns";
  for (const char* fenced : {"169.254.169.254", "10.89.255.9"}) {
    auto r = RunProcess({"nsenter", "--net=" + netns, "curl", "-sSv", "-m", "3", "--local-port",
                         "80", std::string("http://") + fenced + "/"});
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->err.find("ermission denied"), std::string::npos) << fenced << ": " << r->err;
  }
  Serve(*s, "published");
  auto host = HostAddresses();
  ASSERT_TRUE(host.ok() && !host->empty());
  for (const std::string& addr : {std::string("127.0.0.1"), (*host)[0]}) {
    auto r = RunProcess(
        {"curl", "-sS", "-m", "20", "http://" + addr + ":" + std::to_string(port) + "/"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->out, "published\n") << addr << ": " << r->exit_code << r->err;
  }
  // The replies' exception to the fence is for the published port's replies only.
  std::string out =
      Out(*s, "nc " + (*host)[0] + " " + std::to_string(port) + " </dev/null 2>&1", 1);
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
}

// An explicit host port already taken, by a listener on the host or by another sandbox's
// published port (on any kiln network), is refused, as docker's "port is already allocated".
TEST_F(NetworkSandboxes, ATakenHostPortIsRefused) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string busy = std::to_string(ntohs(a.sin_port));
  SandboxSpec spec = OnNet("clash");
  spec.ports = {*ParsePortMapping(busy + ":80")};
  auto refused = env_.runtime->Create(spec);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("0.0.0.0:" + busy + "/tcp"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("a process on the host"), std::string::npos);
  EXPECT_FALSE(PathExists(NetDir())) << "the network the refused join made";

  auto free_port = FreeHostPort("udp");
  ASSERT_TRUE(free_port.ok());
  std::string port = std::to_string(*free_port);
  spec.ports = {*ParsePortMapping("127.0.0.1:" + port + ":53/udp")};
  auto first = Make(spec);
  ASSERT_TRUE(first);
  SandboxSpec other = OnNet("clash2");
  other.network = net_ + "b";
  other.ports = {*ParsePortMapping(port + ":53/udp")};
  refused = env_.runtime->Create(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("0.0.0.0:" + port + "/udp"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(first->id()), std::string::npos)
      << refused.status().ToString();
  // Another protocol or host address is no clash.
  other.ports = {*ParsePortMapping("127.0.0.2:" + port + ":53/udp"),
                 *ParsePortMapping(port + ":53/tcp")};
  EXPECT_TRUE(Make(other));
}

// Joins and leaves of one network from many threads at once (and so from many processes: the
// lock is a host-wide flock): distinct addresses, every member in every hosts file, and
// nothing left once all have left.
TEST_F(NetworkSandboxes, ConcurrentJoinsAndLeavesOfOneNetwork) {
  constexpr int kBoxes = 4;
  std::vector<std::unique_ptr<Sandbox>> boxes(kBoxes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBoxes; ++i)
    threads.emplace_back([&, i] { boxes[i] = Make(OnNet("box" + std::to_string(i))); });
  for (auto& t : threads) t.join();
  std::set<std::string> addresses;
  for (auto& b : boxes) {
    ASSERT_TRUE(b);
    addresses.insert(b->Address());
  }
  EXPECT_EQ(addresses.size(), static_cast<size_t>(kBoxes));
  std::string hosts = Out(*boxes[0], "cat /etc/hosts");
  for (int i = 0; i < kBoxes; ++i)
    EXPECT_NE(hosts.find("\tbox" + std::to_string(i) + "\n"), std::string::npos) << hosts;
  EXPECT_EQ(Out(*boxes[0], "ping -c1 -W5 box3 >/dev/null && echo ok"), "ok\n");
  auto links = HostLinks();
  threads.clear();
  for (auto& b : boxes) threads.emplace_back([&b] { EXPECT_TRUE(b->Destroy().ok()); });
  for (auto& t : threads) t.join();
  ExpectNothingLeft(links);
}

TEST_F(NetworkSandboxes, TheHostAndLinkLocalAreUnreachableButEgressRoutes) {
  auto s = Make(OnNet("fenced"));
  ASSERT_TRUE(s);
  auto host = HostAddresses();
  ASSERT_TRUE(host.ok());
  std::vector<std::string> targets = *host;
  targets.push_back("169.254.169.254");
  for (const auto& t : targets) {
    // prohibit: the connect fails at once with EACCES, no timeout involved.
    std::string out = Out(*s, "nc " + t + " 80 </dev/null 2>&1", 1);
    EXPECT_NE(out.find("ermission denied"), std::string::npos) << t << ": " << out;
  }
  // No IPv6 beside the fence: eth0 has no link-local address to reach the host by.
  EXPECT_EQ(Out(*s, "cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6"), "1\n");
  EXPECT_EQ(Out(*s, "ip -6 addr show dev eth0"), "");
  std::string routes = Out(*s, "ip route");
  EXPECT_NE(routes.find("default via"), std::string::npos) << routes;
  // The sandbox cannot lift the fence: no CAP_NET_ADMIN.
  Out(*s,
      "ip route del prohibit 169.254.0.0/16 table " + std::to_string(kFenceTable) + " 2>/dev/null",
      2);
  Out(*s, "ip rule del pref 200 2>/dev/null", 2);
}

TEST_F(NetworkSandboxes, DestroyLeavesNothingBehind) {
  auto a = Make(OnNet("one"));
  auto b = Make(OnNet("two"));
  ASSERT_TRUE(a && b);
  auto links = HostLinks();
  EXPECT_EQ(links.size(), 3u);  // the bridge and two veths
  auto leases = ListDir(NetDir() + "/ipam/" + net_);
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(PathExists(NetDir() + "/ipam/" + net_ + "/" + a->Address()));
  ASSERT_TRUE(a->Destroy().ok());
  EXPECT_FALSE(PathExists(NetDir() + "/ipam/" + net_ + "/" + a->Address()));
  ASSERT_TRUE(b->Destroy().ok());
  ExpectNothingLeft(links);
}

TEST_F(NetworkSandboxes, AKilledKilnsSandboxesAreReleasedBySweep) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {  // a kiln process: its own runtime, two sandboxes, then killed
    ::close(ready[0]);
    RuntimeOptions o;
    o.state_dir = env_.state_dir;
    o.init_path = testing::KilnInitBinary();
    auto rt = NewCrunRuntime(o);
    if (!rt.ok()) ::_exit(1);
    auto a = (*rt)->Create(OnNet("k1"));
    auto b = (*rt)->Create(OnNet("k2"));
    if (!a.ok() || !b.ok()) ::_exit(2);
    (void)!::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1) << "the child kiln made no sandboxes";
  ::close(ready[0]);
  auto links = HostLinks();
  EXPECT_EQ(links.size(), 3u);
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(PathExists(NetDir()));
  EXPECT_EQ(*env_.runtime->SweepOrphans(), 2);
  ExpectNothingLeft(links);
}

// A CNI DEL that fails keeps the member's record, and the sweep retries it once the fault is
// gone: nothing is left, the plugins' iptables rules included. The fault: the member's netns
// path is a plain file for a while (the bridge plugin cannot enter it), the namespace itself
// kept alive by a second pin (the bridge plugin removes its NAT rules only while it can enter
// the namespace, as the sweep of a killed kiln does).
TEST_F(NetworkSandboxes, AFailedLeaveIsRetriedBySweep) {
  std::string ns = dir_.Sub("netns"), spare = dir_.Sub("spare");
  ASSERT_TRUE(MakeNetns(ns).ok());
  NetMember m;
  m.sandbox_id = "fault-" + net_;  // no sandbox dir: an orphan for the sweep
  m.hostname = "faulty";
  m.hosts_file = dir_.Sub("hosts");
  m.netns = ns;
  ASSERT_TRUE(WriteFileAtomic(m.hosts_file, "").ok());
  auto joined = JoinNetwork(env_.state_dir, net_, m);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  auto rules = [] { return RunProcess({"iptables-save"})->out; };
  ASSERT_NE(rules().find(m.sandbox_id), std::string::npos) << "no rules of the member";
  auto pin = [](const std::string& from, const std::string& to) {
    return WriteFileAtomic(to, "").ok() &&
           ::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) == 0;
  };
  ASSERT_TRUE(pin(ns, spare));
  ASSERT_EQ(::umount2(ns.c_str(), MNT_DETACH), 0);
  ASSERT_TRUE(WriteFileAtomic(ns, "not a namespace").ok());
  EXPECT_FALSE(LeaveNetwork(env_.state_dir, net_, m.sandbox_id).ok());
  EXPECT_TRUE(PathExists(NetDir() + "/members/" + m.sandbox_id + ".json")) << "record dropped";
  ASSERT_TRUE(pin(spare, ns));  // the fault gone
  auto released = SweepNetworks(env_.state_dir);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 1);
  EXPECT_FALSE(PathExists(NetDir()));
  EXPECT_EQ(rules().find(m.sandbox_id), std::string::npos) << rules();
  EXPECT_TRUE(ReleaseNetns(spare).ok());
  EXPECT_TRUE(ReleaseNetns(ns).ok());
}

// The fence's exceptions, on a bare namespace: DNS to a nameserver that is a host address, and
// replies from a published port, go by the main table; anything else to the host is prohibited.
TEST_F(NetworkSandboxes, TheFencesExceptionsAreNarrow) {
  std::string ns = dir_.Sub("netns");
  ASSERT_TRUE(MakeNetns(ns).ok());
  // A default route, as the bridge plugin gives a sandbox (a veth pair stands in for eth0).
  for (const char* cmd : {"link add d0 type veth peer name d1", "addr add 10.0.0.2/24 dev d0",
                          "link set d1 up", "link set d0 up", "route add default via 10.0.0.1"})
    ASSERT_TRUE(IpIn(ns, Split(cmd)).ok()) << cmd;
  ASSERT_TRUE(
      BlockAddresses(ns, {"192.0.2.77"}, "10.89.7.0/24", {{"tcp", 8080}}, {"192.0.2.77"}).ok());
  auto route = [&](const std::string& args) {
    auto r = RunProcess({"sh", "-c", "nsenter --net=" + ns + " ip route get " + args + " 2>&1"});
    return r.ok() ? r->out : "";
  };
  // Through the fence: the main table's default route.
  for (const char* open :
       {"192.0.2.77 ipproto udp dport 53", "192.0.2.77 ipproto tcp dport 53",
        "192.0.2.77 ipproto tcp sport 8080 dport 999", "192.0.2.78", "10.89.7.9"})
    EXPECT_NE(route(open).find("via 10.0.0.1"), std::string::npos) << open << ": " << route(open);
  // Fenced.
  for (const char* fenced :
       {"192.0.2.77 ipproto tcp dport 80", "192.0.2.77 ipproto udp dport 54",
        "192.0.2.77 ipproto udp sport 8080 dport 1", "169.254.169.254 ipproto tcp dport 80",
        "10.89.8.9", "169.254.169.254 ipproto tcp sport 8080 dport 80",
        "10.89.8.9 ipproto tcp sport 8080"})
    EXPECT_NE(route(fenced).find("ermission denied"), std::string::npos) << fenced;
  EXPECT_TRUE(ReleaseNetns(ns).ok());
  EXPECT_FALSE(PathExists(ns));
}

TEST_F(NetworkSandboxes, WithoutANetworkOnlyLoopback) {
  auto s = Make(BaseSpec());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Address(), "");
  std::string links = Out(*s, "ip -o link");
  EXPECT_NE(links.find("lo:"), std::string::npos);
  EXPECT_EQ(links.find("eth0"), std::string::npos) << links;
  Out(*s, "nc 10.89.0.1 80 </dev/null 2>/dev/null", 1);
}

}  // namespace
}  // namespace kiln::runtime
