// Helpers for kiln's tests: scratch directories and test root filesystems.
#pragma once

#include <string>

namespace kiln::testing {

// A fresh directory under $TMPDIR (or /var/tmp for integration tests that need a real
// filesystem for overlayfs), removed with everything in it on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent = "");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Builds a minimal busybox root filesystem in `dir` from Debian's busybox-static
// (/bin/busybox): bin/ with every applet linked, etc/passwd and etc/group for root, tmp/.
// Aborts the test (ASSERT) when /bin/busybox is not a static busybox.
void MakeBusyboxRootfs(const std::string& dir);

// Path of a Debian minbase rootfs tarball made by scripts/fixtures.sh (KILN_DEBIAN_ROOTFS_TAR,
// default /var/cache/kiln-test/debian-bookworm-minbase.tar), or "" when it does not exist.
std::string DebianRootfsTar();
// Path of the OCI layout standing in for Docker's postgres image (ref "postgres"), made by
// scripts/fixtures-postgres.sh beside that tarball, or "" when it does not exist.
std::string PostgresOciLayout();

// The project source dir (KILN_SOURCE_DIR, set by CTest).
std::string SourceDir();
// The kiln binary in the build tree (KILN_BINARY_DIR/src/cli/kiln).
std::string KilnBinary();
// The static kiln-init binary in the build tree (beside kiln).
std::string KilnInitBinary();
bool IsRoot();

// A shell script (sh, dash or busybox ash) printing the fds its shell holds, one per line. The
// glob's own directory fd is closed by the time `-e` tests it, so it is not listed.
inline constexpr const char* kListOwnFds =
    "for f in /proc/$$/fd/*; do [ -e \"$f\" ] && echo \"${f##*/}\"; done; true";

}  // namespace kiln::testing
