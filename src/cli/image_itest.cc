// Images in and out, judged by independent tools: skopeo and umoci read what kiln writes, and
// kiln reads what skopeo writes. A busybox rootfs (Debian's busybox-static) is imported and run.
#include "cli/e2e_util.h"
#include "oci/digest.h"

namespace kiln::cli {
namespace {

using ImageE2E = KilnE2E;

KilnResult Tool(const std::vector<std::string>& argv) {
  auto r = RunProcess(argv);
  EXPECT_TRUE(r.ok()) << argv[0] << ": " << r.status().ToString();
  return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
}

TEST_F(ImageE2E, BusyboxRootfsImportsRunsAndExportsForSkopeoAndUmoci) {
  std::string rootfs = dir_.Sub("busybox");
  testing::MakeBusyboxRootfs(rootfs);
  auto imp = Kiln({"image", "import", rootfs, "busybox:1"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  std::string digest = imp.out.substr(imp.out.find(' ') + 1);
  digest.erase(digest.find_last_not_of("\n") + 1);

  Workflow("bb.yml",
           "on: push\njobs:\n  a:\n    runs-on: bb\n    steps:\n      - run: echo \"busybox "
           "$(uname -s)\" && test ! -e /bin/bash\n");
  auto run = Kiln({"run", "-P", "bb=busybox:1"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("busybox Linux"), std::string::npos);

  std::string layout = dir_.Sub("layout"), archive = dir_.Sub("bb.tar");
  ASSERT_EQ(Kiln({"image", "export", "busybox:1", layout}).code, 0);
  ASSERT_EQ(Kiln({"image", "export", "busybox:1", archive}).code, 0);
  auto inspect = Tool({"skopeo", "inspect", "--raw", "oci:" + layout + ":1"});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto manifest = ParseJson(inspect.out);
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ((*manifest)["layers"].size(), 1u);
  EXPECT_EQ(oci::Digest::FromData(inspect.out).str(), digest);  // the same bytes skopeo read
  auto from_archive = Tool({"skopeo", "inspect", "oci-archive:" + archive + ":1"});
  EXPECT_EQ(from_archive.code, 0) << from_archive.err;
  EXPECT_NE(from_archive.out.find("\"Os\": \"linux\""), std::string::npos) << from_archive.out;
  auto unpack = Tool({"umoci", "unpack", "--image", layout + ":1", dir_.Sub("bundle")});
  ASSERT_EQ(unpack.code, 0) << unpack.err;
  EXPECT_TRUE(PathExists(dir_.Sub("bundle/rootfs/bin/busybox")));

  // skopeo's own output comes back into kiln with the same digest.
  std::string copied = dir_.Sub("copied.tar");
  auto copy = Tool({"skopeo", "copy", "oci:" + layout + ":1", "oci-archive:" + copied + ":again"});
  ASSERT_EQ(copy.code, 0) << copy.err;
  auto back = Kiln({"image", "import", copied, "busybox:again"});
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find(digest), std::string::npos) << back.out;
  auto layout2 = Kiln({"image", "import", "oci:" + layout + ":1", "busybox:fromlayout"});
  EXPECT_EQ(layout2.code, 0) << layout2.err;
}

// A registry host with a port is part of the name, as written (issue 8): imported, listed,
// inspected and exported under it.
TEST_F(ImageE2E, HostPortNamesImportListAndInspect) {
  std::string rootfs = dir_.Sub("busybox");
  testing::MakeBusyboxRootfs(rootfs);
  auto imp = Kiln({"image", "import", rootfs, "127.0.0.1:5000/team/tool:1.0"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  auto ls = Kiln({"images", "--json"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  auto rows = ParseJson(ls.out);
  ASSERT_TRUE(rows.ok() && rows->size() == 1) << ls.out;
  EXPECT_EQ((*rows)[0]["repository"], "127.0.0.1:5000/team/tool");
  EXPECT_EQ((*rows)[0]["tag"], "1.0");
  auto filtered = Kiln({"images", "127.0.0.1:5000/team/tool"});
  EXPECT_NE(filtered.out.find("127.0.0.1:5000/team/tool"), std::string::npos)
      << filtered.out << filtered.err;
  auto inspect = Kiln({"image", "inspect", "127.0.0.1:5000/team/tool:1.0"});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("Name:      127.0.0.1:5000/team/tool:1.0"), std::string::npos)
      << inspect.out;
  // Not found under Docker's defaults, nor without the host: local names match as written.
  EXPECT_NE(Kiln({"image", "inspect", "team/tool:1.0"}).code, 0);
  auto upper = Kiln({"image", "import", rootfs, "Team/Tool"});
  EXPECT_NE(upper.code, 0);
  EXPECT_NE(upper.err.find("repository must be lower case"), std::string::npos) << upper.err;
  std::string layout = dir_.Sub("hp-layout");
  ASSERT_EQ(Kiln({"image", "export", "127.0.0.1:5000/team/tool:1.0", "oci:" + layout}).code, 0);
  auto skopeo = Tool({"skopeo", "inspect", "--raw", "oci:" + layout + ":1.0"});
  EXPECT_EQ(skopeo.code, 0) << skopeo.err;
}

// Export takes the location forms import takes (oci:DIR[:REF], oci-archive:FILE[:REF]); before,
// `export IMAGE oci:DIR` made a directory named "oci:" in the working directory.
TEST_F(ImageE2E, ExportAndImportTakeTheSameLocationForms) {
  std::string rootfs = dir_.Sub("busybox");
  testing::MakeBusyboxRootfs(rootfs);
  auto imp = Kiln({"image", "import", rootfs, "busybox:1"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  std::string digest = imp.out.substr(imp.out.find(' ') + 1);
  digest.erase(digest.find_last_not_of("\n") + 1);

  std::string layout = dir_.Sub("loc-layout"), archive = dir_.Sub("loc.tar"),
              named = dir_.Sub("named.tar");
  auto to_layout = Kiln({"image", "export", "busybox:1", "oci:" + layout});
  ASSERT_EQ(to_layout.code, 0) << to_layout.err;
  EXPECT_EQ(to_layout.out, "busybox:1 → oci:" + layout + ":1\n");
  ASSERT_EQ(Kiln({"image", "export", "busybox:1", "oci-archive:" + archive}).code, 0);
  ASSERT_EQ(Kiln({"image", "export", "busybox:1", "oci-archive:" + named + ":stable"}).code, 0);
  EXPECT_FALSE(PathExists(ws_ + "/oci:"));
  EXPECT_FALSE(PathExists(ws_ + "/oci-archive:"));
  EXPECT_TRUE(PathExists(layout + "/oci-layout"));
  EXPECT_FALSE(IsDirectory(archive));

  auto from_layout = Tool({"skopeo", "inspect", "--raw", "oci:" + layout + ":1"});
  ASSERT_EQ(from_layout.code, 0) << from_layout.err;
  EXPECT_EQ(oci::Digest::FromData(from_layout.out).str(), digest);
  EXPECT_EQ(Tool({"skopeo", "inspect", "oci-archive:" + archive + ":1"}).code, 0);
  auto stable = Tool({"skopeo", "inspect", "oci-archive:" + named + ":stable"});
  EXPECT_EQ(stable.code, 0) << stable.err;

  for (const auto& [source, name] : std::vector<std::pair<std::string, std::string>>{
           {"oci:" + layout + ":1", "back:layout"},
           {"oci-archive:" + archive, "back:archive"},
           {"oci-archive:" + named + ":stable", "back:named"},
           {archive, "back:plain"}}) {
    auto back = Kiln({"image", "import", source, name});
    ASSERT_EQ(back.code, 0) << source << ": " << back.err;
    EXPECT_NE(back.out.find(digest), std::string::npos) << source << ": " << back.out;
  }
  // Contradictions and transports kiln does not write are refused, naming the problem.
  auto clash = Kiln({"image", "export", "busybox:1", "oci:" + layout + ":x", "--ref", "y"});
  EXPECT_NE(clash.code, 0);
  EXPECT_NE(clash.err.find("--ref y contradicts"), std::string::npos) << clash.err;
  auto docker = Kiln({"image", "export", "busybox:1", "docker://127.0.0.1:5000/bb"});
  EXPECT_NE(docker.code, 0);
  EXPECT_NE(docker.err.find("only oci:DIR[:REF]"), std::string::npos) << docker.err;
}

TEST_F(ImageE2E, TamperedArchiveIsRefusedAndNothingIsNamed) {
  std::string rootfs = dir_.Sub("busybox");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_EQ(Kiln({"image", "import", rootfs, "busybox:1"}).code, 0);
  std::string layout = dir_.Sub("layout");
  ASSERT_EQ(Kiln({"image", "export", "busybox:1", layout}).code, 0);
  auto ls = ListDir(layout + "/blobs/sha256");
  // Corrupt the largest blob (the layer) in place.
  std::string biggest;
  size_t size = 0;
  for (const auto& b : *ls) {
    auto d = ReadFile(layout + "/blobs/sha256/" + b);
    if (d->size() > size) {
      size = d->size();
      biggest = b;
    }
  }
  std::string path = layout + "/blobs/sha256/" + biggest;
  std::string data = *ReadFile(path);
  data[data.size() / 2] ^= 0x55;
  ::unlink(path.c_str());
  ASSERT_TRUE(WriteFileAtomic(path, data).ok());
  testing::ScratchDir other{"/var/tmp"};
  state_ = other.Sub("state");
  auto r = Kiln({"image", "import", "oci:" + layout + ":1", "evil:1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("digest"), std::string::npos) << r.err;
  EXPECT_EQ(Kiln({"image", "ls", "--json"}).out, "[]\n");
}

}  // namespace
}  // namespace kiln::cli
