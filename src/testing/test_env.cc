#include "testing/test_env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/subprocess.h"

namespace kiln::testing {

ScratchDir::ScratchDir(const std::string& parent) {
  std::string base = parent;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t != nullptr ? t : "/tmp";
  }
  auto dir = MakeTempDir(base, "kiln-test-");
  if (!dir.ok()) std::abort();
  path_ = *dir;
}

ScratchDir::~ScratchDir() {
  Status s = RemoveTree(path_);
  if (!s.ok()) std::fprintf(stderr, "ScratchDir cleanup: %s\n", s.ToString().c_str());
}

void MakeBusyboxRootfs(const std::string& dir) {
  auto list = RunProcess({"/bin/busybox", "--list-full"});
  ASSERT_TRUE(list.ok() && list->exit_code == 0) << "/bin/busybox (busybox-static) is missing";
  for (const char* d :
       {"bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "proc", "sys", "dev"}) {
    ASSERT_TRUE(MakeDirs(dir + "/" + d).ok());
  }
  ::chmod((dir + "/tmp").c_str(), 01777);
  auto bin = ReadFile("/bin/busybox");
  ASSERT_TRUE(bin.ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/bin/busybox", *bin, 0755).ok());
  size_t start = 0;
  const std::string& out = list->out;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    std::string applet = out.substr(start, nl - start);
    start = nl + 1;
    if (applet.empty() || applet == "bin/busybox") continue;
    std::string link = dir + "/" + applet;
    std::string target = "/bin/busybox";
    (void)::symlink(target.c_str(), link.c_str());
  }
  ASSERT_TRUE(WriteFileAtomic(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/etc/group", "root:x:0:\n").ok());
}

std::string DebianRootfsTar() {
  const char* env = std::getenv("KILN_DEBIAN_ROOTFS_TAR");
  std::string path = env != nullptr ? env : "/var/cache/kiln-test/debian-bookworm-minbase.tar";
  return PathExists(path) ? path : "";
}

std::string PostgresOciLayout() {
  std::string tar = DebianRootfsTar();
  if (tar.empty()) return "";
  std::string dir = tar.substr(0, tar.rfind('/')) + "/postgres-15-oci";
  return PathExists(dir + "/index.json") ? dir : "";
}

std::string SourceDir() {
  const char* env = std::getenv("KILN_SOURCE_DIR");
  return env != nullptr ? env : KILN_SOURCE_DIR_DEFAULT;
}

std::string KilnBinary() {
  const char* env = std::getenv("KILN_BINARY_DIR");
  if (env != nullptr) return std::string(env) + "/src/cli/kiln";
  return SelfExeDir() + "/../cli/kiln";
}

std::string KilnInitBinary() {
  const char* env = std::getenv("KILN_BINARY_DIR");
  if (env != nullptr) return std::string(env) + "/src/cli/kiln-init";
  return SelfExeDir() + "/../cli/kiln-init";
}

bool IsRoot() { return ::geteuid() == 0; }

}  // namespace kiln::testing
