// SquashLayers: stacks of overlay-upper layers (whiteouts are 0/0 char devices and opacity a
// trusted.* xattr, so this needs root) squash into one layer that, unpacked over the same base,
// gives the same tree as the stack.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fs.h"
#include "snapshot/layer_apply.h"
#include "snapshot/squash.h"
#include "snapshot/tree_diff.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

class Squash : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "whiteouts and trusted.overlay.opaque need root";
    layers_ = dir_.Sub("layers");
    ASSERT_TRUE(MakeDirs(layers_).ok());
  }
  std::string Layer(const std::string& name) {
    std::string d = layers_ + "/" + name;
    EXPECT_TRUE(MakeDirs(d).ok());
    return d;
  }
  void File(const std::string& path, const std::string& data, int mode = 0644) {
    size_t slash = path.rfind('/');
    ASSERT_TRUE(MakeDirs(path.substr(0, slash)).ok());
    ASSERT_TRUE(WriteFileAtomic(path, data, mode).ok());
  }
  void Dir(const std::string& path, int mode = 0755) {
    ASSERT_TRUE(MakeDirs(path).ok());
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  void Whiteout(const std::string& path) {
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_EQ(::mknod(path.c_str(), S_IFCHR | 0000, makedev(0, 0)), 0) << path;
  }
  void Opaque(const std::string& path) {
    Dir(path);
    ASSERT_EQ(::setxattr(path.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0) << path;
  }
  static bool IsOpaque(const std::string& path) {
    char v[2] = {};
    return ::lgetxattr(path.c_str(), "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y';
  }
  static std::string Xattr(const std::string& path, const char* name) {
    char v[64] = {};
    ssize_t n = ::lgetxattr(path.c_str(), name, v, sizeof v);
    return n < 0 ? "" : std::string(v, static_cast<size_t>(n));
  }
  // Squashes `stack` and unpacks the one layer into a fresh dir, as the layer cache would.
  std::string SquashAndUnpack(const std::vector<std::string>& stack) {
    auto info = SquashLayers(stack, "", {}, *store_);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (!info.ok()) return "";
    std::string out = dir_.Sub("squashed");
    EXPECT_TRUE(MakeDirs(out).ok());
    auto fd = store_->Open(info->descriptor.digest);
    EXPECT_TRUE(fd.ok());
    auto applied = ApplyLayer(fd->get(), oci::Compression::kGzip, out);
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    EXPECT_EQ(applied->diff_id, info->diff_id);
    return out;
  }
  std::vector<std::string> Leftovers() {
    std::vector<std::string> out;
    for (const auto& n : ListDir(layers_).value()) {
      if (n.rfind(".tmp-squash-", 0) == 0) out.push_back(n);
    }
    return out;
  }

  testing::ScratchDir dir_{"/var/tmp"};
  std::string layers_;
  std::unique_ptr<content::BlobStore> store_ = content::NewMemoryBlobStore();
};

TEST_F(Squash, SquashedLayerOverTheBaseEqualsTheStack) {
  std::string base = Layer("base"), l1 = Layer("l1"), l2 = Layer("l2"), l3 = Layer("l3");
  File(base + "/etc/a", "a");
  File(base + "/etc/keep", "keep");
  File(base + "/dir/x", "x");
  File(base + "/dir/sub/y", "y");
  File(base + "/gone", "gone");
  File(base + "/swap", "file");
  File(base + "/opq/old", "old");
  File(base + "/link/z", "z");
  File(base + "/tree2/t", "t");
  File(base + "/tree/t1", "t1");

  File(l1 + "/new1", "new");
  File(l1 + "/etc/a", "a2", 0600);
  ASSERT_EQ(::setxattr((l1 + "/etc/a").c_str(), "user.k", "v1", 2, 0), 0);
  Whiteout(l1 + "/gone");
  Whiteout(l1 + "/dir/sub");
  File(l1 + "/swap/in", "in");  // file → dir
  File(l1 + "/h1", "linked");
  ASSERT_EQ(::link((l1 + "/h1").c_str(), (l1 + "/h2").c_str()), 0);
  Opaque(l1 + "/opq");
  File(l1 + "/opq/new", "new");

  Whiteout(l2 + "/new1");           // an add, deleted
  File(l2 + "/dir/sub/z", "z");     // a dir re-made after its delete: y must stay hidden
  File(l2 + "/gone/back", "back");  // a file's delete, re-added as a dir
  ASSERT_EQ(::symlink("/etc", (l2 + "/link").c_str()), 0);  // dir → symlink
  File(l2 + "/tree/t2", "t2");
  ASSERT_EQ(::chmod((l2 + "/tree").c_str(), 0750), 0);
  ASSERT_EQ(::chown((l2 + "/tree").c_str(), 12, 34), 0);
  ASSERT_EQ(::setxattr((l2 + "/tree").c_str(), "user.d", "dv", 2, 0), 0);
  File(l2 + "/h3", "pair");
  ASSERT_EQ(::link((l2 + "/h3").c_str(), (l2 + "/h4").c_str()), 0);

  File(l3 + "/new1", "again");        // re-added after the delete
  File(l3 + "/h1", "unlinked");       // one name of a hard-linked pair replaced
  File(l3 + "/opq/more", "more");     // a plain dir over an opaque one
  File(l3 + "/tree2", "now a file");  // dir → file
  ASSERT_EQ(::chown((l3 + "/opq/more").c_str(), 7, 8), 0);

  std::string sq = SquashAndUnpack({l1, l2, l3});
  ASSERT_FALSE(sq.empty());
  auto same = DiffLayerStacks({base, l1, l2, l3}, {base, sq});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  for (const auto& c : *same) ADD_FAILURE() << c.kind << " " << c.path;
  // The diff can see a difference: the squashed layer does change the base.
  auto changed = DiffLayerStacks({base}, {base, sq});
  ASSERT_TRUE(changed.ok());
  EXPECT_GE(changed->size(), 10u);

  // What the contract says, entry by entry.
  struct stat st, st2;
  ASSERT_EQ(::lstat((sq + "/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_TRUE(IsOpaque(sq + "/gone"));
  EXPECT_TRUE(IsOpaque(sq + "/dir/sub"));
  EXPECT_FALSE(PathExists(sq + "/dir/sub/y"));
  EXPECT_FALSE(IsOpaque(sq + "/dir"));
  EXPECT_TRUE(IsOpaque(sq + "/opq"));
  EXPECT_TRUE(PathExists(sq + "/opq/more") && PathExists(sq + "/opq/new"));
  EXPECT_EQ(*ReadFile(sq + "/new1"), "again");
  EXPECT_EQ(Xattr(sq + "/etc/a", "user.k"), "v1");
  EXPECT_EQ(Xattr(sq + "/tree", "user.d"), "dv");
  ASSERT_EQ(::lstat((sq + "/tree").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 12u);
  ASSERT_EQ(::lstat((sq + "/h3").c_str(), &st), 0);
  ASSERT_EQ(::lstat((sq + "/h4").c_str(), &st2), 0);
  EXPECT_EQ(st.st_ino, st2.st_ino);  // still one file
  ASSERT_EQ(::lstat((sq + "/h1").c_str(), &st), 0);
  ASSERT_EQ(::lstat((sq + "/h2").c_str(), &st2), 0);
  EXPECT_NE(st.st_ino, st2.st_ino);
  EXPECT_EQ(*ReadFile(sq + "/h2"), "linked");
  ASSERT_EQ(::lstat((sq + "/link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // The deletes of things only the base had stay whiteouts.
  ASSERT_EQ(::lstat((sq + "/tree2").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_TRUE(Leftovers().empty());
  // The layer dirs are only read.
  EXPECT_EQ(*ReadFile(l1 + "/h1"), "linked");
  EXPECT_TRUE(PathExists(l1 + "/new1"));
}

TEST_F(Squash, KeepsWhiteoutsForWhatLiesBelowTheStack) {
  std::string base = Layer("base"), l1 = Layer("l1"), l2 = Layer("l2");
  File(base + "/only-in-base", "b");
  File(base + "/d/f", "f");
  Whiteout(l1 + "/only-in-base");
  File(l1 + "/added", "a");
  Whiteout(l2 + "/d");
  std::string sq = SquashAndUnpack({l1, l2});
  struct stat st;
  ASSERT_EQ(::lstat((sq + "/only-in-base").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == 0);
  ASSERT_EQ(::lstat((sq + "/d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == 0);
  auto same = DiffLayerStacks({base, l1, l2}, {base, sq});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST_F(Squash, OneLayerSquashesToItselfAndErrorsLeaveNoScratch) {
  std::string base = Layer("base"), l1 = Layer("l1");
  File(base + "/a", "a");
  File(l1 + "/b/c", "c");
  Whiteout(l1 + "/a");
  std::string sq = SquashAndUnpack({l1});
  auto same = DiffLayerStacks({base, l1}, {base, sq});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());

  EXPECT_EQ(SquashLayers({}, "", {}, *store_).status().code(), Code::kInvalidArgument);
  auto missing = SquashLayers({l1, layers_ + "/nosuch"}, "", {}, *store_);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nosuch"), std::string::npos)
      << missing.status().ToString();
  EXPECT_TRUE(Leftovers().empty());
}

}  // namespace
}  // namespace kiln::snapshot
