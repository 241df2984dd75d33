// The SQLite catalogue on a read-only filesystem (a read-only bind mount: root ignores file
// modes, so this is how a root kiln meets a read-only catalogue).
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "base/fs.h"
#include "catalog/catalog.h"
#include "testing/test_env.h"

namespace kiln::catalog {
namespace {

class ReadOnlyMount {
 public:
  explicit ReadOnlyMount(const std::string& src, const std::string& dst) : dst_(dst) {
    ok_ = ::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) == 0 &&
          ::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
  }
  ~ReadOnlyMount() { ::umount2(dst_.c_str(), MNT_DETACH); }
  bool ok() const { return ok_; }

 private:
  std::string dst_;
  bool ok_ = false;
};

TEST(SqliteCatalogOnReadOnlyFs, ErrorsSayWhatKilnWasDoingAndWhichFile) {
  if (!testing::IsRoot()) GTEST_SKIP() << "bind mounts need root";
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeDirs(dir.Sub("rw"), 0755).ok());
  ASSERT_TRUE(MakeDirs(dir.Sub("ro"), 0755).ok());
  {
    auto rw = OpenCatalog(dir.Sub("rw/kiln.db"));
    ASSERT_TRUE(rw.ok()) << rw.status().ToString();
    ASSERT_TRUE(
        (*rw)->AddVersion("toolbox", {}, {oci::Digest::FromData("a"), 1, 1, "", "", ""}).ok());
  }
  ReadOnlyMount ro(dir.Sub("rw"), dir.Sub("ro"));
  ASSERT_TRUE(ro.ok()) << "mount: " << std::strerror(errno);
  std::string db = dir.Sub("ro/kiln.db");
  auto cat = OpenCatalog(db);
  Status s = cat.status();
  if (cat.ok())
    s = (*cat)->AddVersion("toolbox", {}, {oci::Digest::FromData("b"), 1, 1, "", "", ""}).status();
  ASSERT_FALSE(s.ok());
  bool at_open = s.message().rfind("open catalogue " + db + ": ", 0) == 0;
  bool at_write = s.message().rfind("record toolbox:1.1.0 in catalogue " + db + ": ", 0) == 0;
  EXPECT_TRUE(at_open || at_write) << s.message();
  EXPECT_NE(s.message().find("read-only"), std::string::npos) << s.message();  // the hint
  EXPECT_NE(s.code(), Code::kInternal) << s.ToString();
}

}  // namespace
}  // namespace kiln::catalog
