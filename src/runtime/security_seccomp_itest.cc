// The seccomp attack (issue 7, item 3): a job calls clone(CLONE_NEWUSER|CLONE_NEWNET) directly
// (not unshare, which was already denied) to get full capabilities in a new user namespace and
// reach nf_tables; clone3 with the same flags; io_uring. A tiny static program built at test
// time makes the raw syscalls inside a busybox sandbox.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "runtime/sandbox_suite.h"

namespace kiln::runtime {
namespace {

constexpr const char* kAttack = R"(
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char* what, long r) {
  if (r == 0) _exit(0); /* the child */
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  printf("%s %d\n", what, r > 0 ? 0 : errno);
}

int main(void) {
  report("clone_userns", syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0));
  report("clone_netns", syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0));
  uint64_t args[11];
  memset(args, 0, sizeof args);
  args[0] = CLONE_NEWUSER | CLONE_NEWNET;
  args[4] = SIGCHLD; /* exit_signal */
  report("clone3", syscall(435 /* clone3 */, args, sizeof args));
  char params[120];
  memset(params, 0, sizeof params);
  long fd = syscall(425 /* io_uring_setup */, 8, params);
  printf("io_uring_setup %d\n", fd >= 0 ? 0 : errno);
  report("fork", syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
  return 0;
}
)";

class SecuritySeccompAttack : public SandboxSuite {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "crun sandboxes need root";
    SandboxSuite::SetUp();
    ASSERT_TRUE(env_.runtime);
    ASSERT_TRUE(WriteScratchFile(dir_.Sub("attack.c"), kAttack).ok());
    auto cc = RunProcess(
        {"cc", "-static", "-O1", "-o", env_.lower_dirs[0] + "/bin/attack", dir_.Sub("attack.c")});
    ASSERT_TRUE(cc.ok() && cc->exit_code == 0) << (cc.ok() ? cc->err : cc.status().ToString());
  }
};

TEST_F(SecuritySeccompAttack, NamespaceClonesClone3AndIoUringAreRefused) {
  auto s = NewSandbox();
  ASSERT_TRUE(s);
  auto [code, lines] = Sh(*s, "/bin/attack");
  EXPECT_EQ(code, 0);
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  EXPECT_NE(out.find("O:clone_userns 1\n"), std::string::npos) << out;  // EPERM
  EXPECT_NE(out.find("O:clone_netns 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("O:clone3 38\n"), std::string::npos) << out;  // ENOSYS: libc falls back
  bool io_uring_refused = out.find("O:io_uring_setup 1\n") != std::string::npos ||
                          out.find("O:io_uring_setup 38\n") != std::string::npos;
  EXPECT_TRUE(io_uring_refused) << out;
  EXPECT_NE(out.find("O:fork 0\n"), std::string::npos) << out;  // a plain clone still works
}

}  // namespace
}  // namespace kiln::runtime
