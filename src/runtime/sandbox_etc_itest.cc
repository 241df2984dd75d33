// crun sandboxes: /etc/hosts and /etc/hostname (etc_files.h), deep layer stacks, and the layers
// in use as another kiln process sees them.
#include <sys/stat.h>

#include "base/fs.h"
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {
namespace {

class CrunSandboxes : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
  }
  std::string Out(Sandbox& s, const std::string& script) {
    auto [code, lines] = Sh(s, script);
    EXPECT_EQ(code, 0) << script;
    std::string out;
    for (const auto& l : lines) out += l.substr(2) + "\n";
    return out;
  }
  // Nothing under etc/ in the upper dir: the files and their mount targets stay out of a snapshot.
  void ExpectNoEtcInUpper(Sandbox& s) {
    EXPECT_FALSE(PathExists(s.UpperDir() + "/etc/hosts"));
    EXPECT_FALSE(PathExists(s.UpperDir() + "/etc/hostname"));
    EXPECT_FALSE(PathExists(s.UpperDir() + "/etc"));
  }
};

TEST_F(CrunSandboxes, LocalhostAndTheHostnameResolveAsInDocker) {
  SandboxSpec spec = BaseSpec();
  spec.hostname = "box-1";
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Out(**s, "cat /etc/hostname"), "box-1\n");
  EXPECT_EQ(Out(**s, "hostname -f"), "box-1\n");  // busybox: resolves through /etc/hosts
  EXPECT_EQ(Out(**s, "hostname -i"), "127.0.0.1\n");
  EXPECT_NE(Out(**s, "ping -c1 -W5 localhost").find("1 packets received"), std::string::npos);
  std::string hosts = Out(**s, "cat /etc/hosts");
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("::1\tlocalhost ip6-localhost ip6-loopback\n"), std::string::npos) << hosts;
  // Writable as in docker, and what a job adds goes to the sandbox's own file, not the image.
  Out(**s, "echo '127.0.0.1 db.test' >> /etc/hosts && ping -c1 -W5 db.test >/dev/null");
  ExpectNoEtcInUpper(**s);
}

// On the host's network a sandbox sees the host's names (as docker --network host), and its own.
TEST_F(CrunSandboxes, OnTheHostsNetworkTheHostsFileIsTheHostsPlusTheHostname) {
  SandboxSpec spec = BaseSpec();
  spec.hostname = "netbox";
  spec.network = kHostNetwork;
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::string host = *ReadFile("/etc/hosts");
  if (!host.empty() && host.back() != '\n') host += '\n';
  EXPECT_EQ(Out(**s, "cat /etc/hosts"), host + "127.0.0.1\tnetbox\n");
  EXPECT_EQ(Out(**s, "hostname -f"), "netbox\n");
  ExpectNoEtcInUpper(**s);
}

TEST_F(CrunSandboxes, PooledSandboxesHaveThemToo) {
  SandboxSpec spec = BaseSpec();
  spec.hostname = "pooled";
  ASSERT_EQ(*env_.runtime->FillPool(spec, 1), 1);
  std::string ws = dir_.Sub("ws");
  spec.mounts = {{ws, "/github/workspace", false}};
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->from_pool());
  EXPECT_EQ(Out(**s, "cat /etc/hostname; hostname -f"), "pooled\npooled\n");
  ExpectNoEtcInUpper(**s);
}

// An image without /etc still gets both files, and /etc stays out of the upper dir.
TEST_F(CrunSandboxes, AnImageWithoutEtcGetsThem) {
  std::string rootfs = dir_.Sub("no-etc");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_TRUE(RemoveTree(rootfs + "/etc").ok());
  SandboxSpec spec = BaseSpec();
  spec.lower_dirs = {rootfs};
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Out(**s, "cat /etc/hostname; ls /etc"), "kiln\nhostname\nhosts\n");
  ExpectNoEtcInUpper(**s);
}

TEST_F(CrunSandboxes, AHostnameThatWouldAddHostsEntriesIsRefused) {
  SandboxSpec spec = BaseSpec();
  spec.hostname = "a\n10.0.0.1 bank.example";
  auto s = env_.runtime->Create(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument) << s.status().ToString();
}

// 120 layers: more than mount(2)'s one page of options allowed (44), on the new mount API.
TEST_F(CrunSandboxes, StartsOnAHundredAndTwentyLayers) {
  SandboxSpec spec = BaseSpec();
  for (int i = 1; i < 120; ++i) {
    std::string layer = dir_.Sub("layers/" + std::string(64, 'a' + i % 26) + std::to_string(i));
    ASSERT_TRUE(MakeDirs(layer).ok());
    ASSERT_TRUE(WriteFileAtomic(layer + "/layer-" + std::to_string(i), std::to_string(i)).ok());
    spec.lower_dirs.push_back(layer);
  }
  ASSERT_EQ(spec.lower_dirs.size(), 120u);
  auto s = env_.runtime->Create(spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Out(**s, "cat /layer-1; echo; cat /layer-119; echo; ls /layer-* | wc -l"),
            "1\n119\n119\n");
  EXPECT_EQ(Out(**s, "cat /etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\n");  // busybox, at the bottom
}

// What GC sees is on disk: a second runtime on the same state dir (another kiln process) lists
// the layers of this one's sandboxes.
TEST_F(CrunSandboxes, AnotherRuntimeOnTheStateDirSeesTheLayersInUse) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  RuntimeOptions o;
  o.state_dir = env_.state_dir;
  auto other = NewCrunRuntime(o);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(*(*other)->LayerDirsInUse(), env_.lower_dirs);
  ASSERT_TRUE(s->Destroy().ok());
  EXPECT_TRUE((*other)->LayerDirsInUse()->empty());
}

}  // namespace
}  // namespace kiln::runtime
