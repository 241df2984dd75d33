// An installed kiln (`cmake --install`: bin/kiln, libexec/kiln/kiln-init) runs sandboxes: it
// finds kiln-init in its prefix's libexec, or where KILN_INIT says, and says where it looked
// when it is in neither.
#include <cstdlib>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class InstalledKiln : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    prefix_ = dir_.Sub("prefix");
    const char* env = std::getenv("KILN_BINARY_DIR");
    std::string build = env != nullptr ? env : SelfExeDir() + "/../..";  // build/src/cli/cli_itest
    auto r = RunProcess({"cmake", "--install", build, "--prefix", prefix_});
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->out + r->err : r.status().ToString());
    ASSERT_TRUE(PathExists(prefix_ + "/bin/kiln"));
    ASSERT_TRUE(PathExists(prefix_ + "/libexec/kiln/kiln-init"));
    ASSERT_FALSE(PathExists(prefix_ + "/bin/kiln-init"));
  }
  KilnResult Installed(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {prefix_ + "/bin/kiln", "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = ws_;
    std::vector<std::string> full = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    full.insert(full.end(), env.begin(), env.end());
    o.env = full;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  // Creates a sandbox, runs `script` in it, removes it; returns the script's output.
  KilnResult InSandbox(const std::string& script, std::vector<std::string> env = {}) {
    auto made = Installed({"sandbox", "create", "bb"}, env);
    if (made.code != 0) return made;
    std::string id = made.out.substr(0, made.out.find('\n'));
    auto r = Installed({"sandbox", "exec", id, "--", "sh", "-c", script}, env);
    EXPECT_EQ(Installed({"sandbox", "rm", id}, env).code, 0);
    return r;
  }
  std::string prefix_;
};

TEST_F(InstalledKiln, FindsKilnInitInItsLibexecAndRunsASandbox) {
  std::string rootfs = dir_.Sub("bb");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_EQ(Installed({"image", "import", rootfs, "bb"}).code, 0);
  auto r = InSandbox("cat /etc/hostname; hostname -f; cat /proc/1/cmdline | tr '\\0' ' '");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "kiln\nkiln\n/dev/.kiln-init --agent 3 \n");
}

TEST_F(InstalledKiln, WithoutKilnInitSaysWhereItLookedAndKilnInitSetsIt) {
  std::string rootfs = dir_.Sub("bb");
  testing::MakeBusyboxRootfs(rootfs);
  ASSERT_EQ(Installed({"image", "import", rootfs, "bb"}).code, 0);
  std::string moved = dir_.Sub("elsewhere/kiln-init");
  ASSERT_TRUE(MakeDirs(dir_.Sub("elsewhere")).ok());
  ASSERT_EQ(::rename((prefix_ + "/libexec/kiln/kiln-init").c_str(), moved.c_str()), 0);
  auto failed = Installed({"sandbox", "create", "bb"});
  EXPECT_NE(failed.code, 0);
  for (const std::string& part :
       {prefix_ + "/bin/kiln-init", prefix_ + "/bin/../libexec/kiln/kiln-init",
        std::string("init_path"), std::string("KILN_INIT")}) {
    EXPECT_NE(failed.err.find(part), std::string::npos) << part << " not in: " << failed.err;
  }
  EXPECT_EQ(Installed({"sandbox", "ls", "--json"}).out, "[]\n");  // nothing left half made
  auto r = InSandbox("echo ran", {"KILN_INIT=" + moved});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
}

}  // namespace
}  // namespace kiln::cli
