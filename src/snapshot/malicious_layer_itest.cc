// Hostile layers: nothing outside the extraction root may change, whatever a layer contains.
// Each case builds a tar, applies it, and checks its outcome; a canary tree beside the root
// (and a file in the parent dir) is hashed before and after every case.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <map>

#include "base/fs.h"
#include "base/sha256.h"
#include "snapshot/layer_apply.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

using testing::TarBuilder;

// path → "mode uid size sha256|link target" for every entry under `dir`, and `dir` itself.
void Fingerprint(const std::string& dir, const std::string& rel,
                 std::map<std::string, std::string>& out) {
  std::string path = rel.empty() ? dir : dir + "/" + rel;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  std::string fp = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + " " +
                   std::to_string(st.st_size);
  if (S_ISREG(st.st_mode)) fp += " " + Sha256::Hex(ReadFile(path).value());
  if (S_ISLNK(st.st_mode)) {
    char t[4096];
    ssize_t n = ::readlink(path.c_str(), t, sizeof t);
    fp += " -> " + std::string(t, n > 0 ? static_cast<size_t>(n) : 0);
  }
  out[rel] = fp;
  if (S_ISDIR(st.st_mode)) {
    for (const auto& name : ListDir(path).value())
      Fingerprint(dir, rel.empty() ? name : rel + "/" + name, out);
  }
}

class MaliciousLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "extraction with owners and device nodes needs root";
    root_ = dir_.Sub("root");
    canary_ = dir_.Sub("canary");
    ASSERT_TRUE(MakeDirs(root_).ok());
    ASSERT_TRUE(MakeDirs(canary_ + "/sub").ok());
    ASSERT_TRUE(WriteFileAtomic(canary_ + "/file", "precious\n").ok());
    ASSERT_TRUE(WriteFileAtomic(canary_ + "/sub/deep", "deeper\n").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.Sub("parent-file"), "parent\n").ok());
    before_ = Outside();
  }
  void TearDown() override {
    if (IsSkipped()) return;
    EXPECT_EQ(Outside(), before_) << "something outside the root changed";
  }
  std::map<std::string, std::string> Outside() {
    std::map<std::string, std::string> fp;
    Fingerprint(dir_.path(), "canary", fp);
    Fingerprint(dir_.path(), "parent-file", fp);
    for (const auto& name : ListDir(dir_.path()).value()) fp["top:" + name] = "";
    return fp;
  }
  Result<ApplyStats> Apply(TarBuilder& t) {
    UniqueFd fd = t.Fd();
    return ApplyLayer(fd.get(), oci::Compression::kNone, root_);
  }
  void ExpectRejected(TarBuilder& t, const std::string& entry) {
    auto r = Apply(t);
    ASSERT_FALSE(r.ok()) << "accepted a layer with " << entry;
    EXPECT_NE(r.status().message().find(entry), std::string::npos) << r.status().message();
  }
  testing::ScratchDir dir_{"/var/tmp"};
  std::string root_, canary_;
  std::map<std::string, std::string> before_;
};

TEST_F(MaliciousLayer, DotDotPathsAreRejected) {
  TarBuilder a;
  a.File("../escape", "x");
  ExpectRejected(a, "../escape");
  TarBuilder b;
  b.File("ok/../../escape", "x");
  ExpectRejected(b, "ok/../../escape");
}

TEST_F(MaliciousLayer, AbsoluteSymlinkEscapeStaysInside) {
  TarBuilder t;  // the target does not exist inside the root: nothing is written
  t.Symlink("link", canary_).File("link/pwned", "x");
  EXPECT_FALSE(Apply(t).ok());
  EXPECT_FALSE(PathExists(canary_ + "/pwned"));
  TarBuilder u;  // "/etc" means the root's etc, never the host's
  u.Dir("etc").Symlink("hostetc", "/etc").File("hostetc/kiln-pwned", "x");
  ASSERT_TRUE(Apply(u).ok());
  EXPECT_FALSE(PathExists("/etc/kiln-pwned"));
  EXPECT_TRUE(PathExists(root_ + "/etc/kiln-pwned"));
}

TEST_F(MaliciousLayer, RelativeSymlinkEscapeStaysInside) {
  TarBuilder t;
  t.Symlink("up", "../../../../../..").Dir("up/canary").File("up/canary/file", "overwritten");
  ASSERT_TRUE(Apply(t).ok());
  EXPECT_EQ(*ReadFile(canary_ + "/file"), "precious\n");
  EXPECT_EQ(*ReadFile(root_ + "/canary/file"), "overwritten");
}

TEST_F(MaliciousLayer, HardlinksOutOfTheRootAreRejected) {
  TarBuilder a;
  a.Hardlink("h", canary_ + "/file");  // absolute: resolved in the root, where it is absent
  ExpectRejected(a, "\"h\"");
  TarBuilder b;
  b.Hardlink("h", "../canary/file");
  ExpectRejected(b, "\"h\"");
  TarBuilder c;
  c.Symlink("l", canary_).Hardlink("h", "l/file");
  ExpectRejected(c, "\"h\"");
  struct stat st;
  ASSERT_EQ(::stat((canary_ + "/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(MaliciousLayer, SymlinkReplacedByDirectoryIsNotWrittenThrough) {
  TarBuilder first;
  first.Symlink("d", canary_);
  ASSERT_TRUE(Apply(first).ok());
  TarBuilder second;  // a later layer on the same tree
  second.Dir("d").File("d/file", "through?");
  ASSERT_TRUE(Apply(second).ok());
  struct stat st;
  ASSERT_EQ(::lstat((root_ + "/d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(*ReadFile(root_ + "/d/file"), "through?");
  TarBuilder third;  // a file under a symlinked dir, without a dir entry
  third.Symlink("e", canary_).File("e/file", "through?");
  auto r = Apply(third);
  EXPECT_FALSE(PathExists(canary_ + "/e"));
}

// Devices are unpacked as captured (a sandbox's device cgroup decides what opens; the layer
// cache is 0700), inside the root only.
TEST_F(MaliciousLayer, DeviceNodesStayInsideTheRootSetuidKept) {
  TarBuilder t;
  t.Device("dev/mem", false, 1, 1).Device("dev/sda", true, 8, 0).File("bin/su", "elf", 04755);
  auto r = Apply(t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->skipped_devices, 0);
  struct stat st;
  ASSERT_EQ(::lstat((root_ + "/dev/sda").c_str(), &st), 0);
  EXPECT_TRUE(S_ISBLK(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(8, 0));
  ASSERT_EQ(::stat((root_ + "/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
}

TEST_F(MaliciousLayer, DuplicatesReservedNamesHugeHeadersAreRejected) {
  TarBuilder dup;
  dup.File("a", "1").File("a", "2");
  ExpectRejected(dup, "duplicate");
  TarBuilder reserved;
  reserved.File(".wh..wh.plnk", "");
  ExpectRejected(reserved, "reserved whiteout name");
  TarBuilder long_path;
  long_path.File(std::string(5000, 'a'), "x");
  ExpectRejected(long_path, "longer than 4096");
  TarBuilder huge_xattr;
  huge_xattr.Xattr("f", "user.big", std::string(2 << 20, 'x'));
  EXPECT_FALSE(Apply(huge_xattr).ok());
}

TEST_F(MaliciousLayer, ForgedOverlayXattrsAreDropped) {
  TarBuilder t;
  t.Dir("d").Xattr("d/f", "trusted.overlay.opaque", "y");
  ASSERT_TRUE(Apply(t).ok());
  char v[8];
  EXPECT_LT(::getxattr((root_ + "/d/f").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
}

TEST_F(MaliciousLayer, WhiteoutsBecomeOverlayWhiteouts) {
  TarBuilder t;
  t.Dir("etc").File("etc/.wh.passwd", "").Dir("opt").File("opt/.wh..wh..opq", "");
  ASSERT_TRUE(Apply(t).ok());
  struct stat st;
  ASSERT_EQ(::lstat((root_ + "/etc/passwd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, 0u);
  char v[8] = {};
  EXPECT_EQ(::getxattr((root_ + "/opt").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
}

}  // namespace
}  // namespace kiln::snapshot
