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

  Workflow("bb.yml", "on: push\njobs:\n  a:\n    runs-on: bb\n    steps:\n      - run: echo \"busybox $(uname -s)\" && test ! -e /bin/bash\n");
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
    if (d->size() > size) { size = d->size(); biggest = b; }
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
