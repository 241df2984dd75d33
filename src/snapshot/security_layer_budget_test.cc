// Attack: a small layer of a great many empty directories (or links, or xattrs) that costs the
// host gigabytes and inodes without a byte of file data. max_layer_unpacked charges each entry.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "snapshot/layer_apply.h"
#include "testing/tar_builder.h"
#include "testing/test_env.h"

namespace kiln::snapshot {
namespace {

Result<ApplyStats> Apply(testing::TarBuilder& tar, const std::string& out, int64_t cap) {
  EXPECT_TRUE(MakeDirs(out).ok());
  UniqueFd fd = tar.Fd();
  ApplyOptions o;
  o.max_unpacked_bytes = cap;
  o.name = "layer x";
  return ApplyLayer(fd.get(), oci::Compression::kNone, out, o);
}

TEST(SecurityLayerBudget, HundredThousandEmptyDirsAreRefusedUnderA100MiBCap) {
  testing::TarBuilder tar;
  for (int i = 0; i < 100000; ++i) tar.Dir("d" + std::to_string(i));
  testing::ScratchDir dir;
  auto r = Apply(tar, dir.Sub("out"), int64_t{100} << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("layer x unpacks to more than 100 MiB (max_layer_unpacked)"),
            std::string::npos)
      << r.status().ToString();
}

TEST(SecurityLayerBudget, XattrValuesAreCharged) {
  testing::TarBuilder tar;
  std::string big(3000, 'x');  // ext4 keeps an inode's xattrs in one 4 KiB block
  for (int i = 0; i < 400; ++i) {
    std::string f = "f" + std::to_string(i);
    tar.Xattr(f, "user.big", big);
  }
  testing::ScratchDir dir;
  auto r = Apply(tar, dir.Sub("out"),
                 int64_t{1} << 20);  // 400 × (3000 + 512) > 1 MiB; 400 × 512 alone fits
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(max_layer_unpacked)"), std::string::npos)
      << r.status().ToString();
}

TEST(SecurityLayerBudget, AnOrdinaryLayerFits) {
  testing::TarBuilder tar;
  for (int i = 0; i < 200; ++i) {
    std::string d = "usr/share/d" + std::to_string(i);
    tar.Dir(d).File(d + "/file", std::string(1000, 'a')).Symlink(d + "/link", "file");
  }
  testing::ScratchDir dir;
  auto r = Apply(tar, dir.Sub("out"), int64_t{100} << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->entries, 600);
}

}  // namespace
}  // namespace kiln::snapshot
