// A job leaves set-id files in the host dirs bind-mounted into its sandbox (workspace, temp,
// home): mounted nosuid inside, but on the host's own mounts a setuid-root copy of bash is a
// root shell for any local user. No set-id bit may survive the step; links are not followed.
#include <sys/stat.h>
#include <sys/xattr.h>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

using SecuritySetId = KilnE2E;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode : 0;
}

TEST_F(SecuritySetId, SetuidBashInTheWorkspaceIsStrippedAfterTheStep) {
  ImportDebian({"debian:bookworm"});
  // A host file outside the job, set-id, reachable by a link the job makes: must keep its bits.
  std::string outside = dir_.Sub("outside-setuid");
  ASSERT_TRUE(WriteFileAtomic(outside, "x").ok());
  ASSERT_EQ(::chmod(outside.c_str(), 04755), 0);
  Workflow(
      "w.yml",
      "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
      "      - run: |\n"
      "          cd \"$GITHUB_WORKSPACE\"\n"
      "          cp /bin/bash x; chmod 4755 x\n"
      "          mkdir -p deep/er; cp /bin/bash deep/er/y; chmod 6755 deep/er/y\n"
      "          mkdir shared; chmod 2775 shared\n"
      "          ln -s " +
          outside +
          " link\n"
          "          cp /bin/bash \"$HOME/h\"; chmod 4755 \"$HOME/h\"\n"
          "      - run: stat -c '%a %n' \"$GITHUB_WORKSPACE/x\" \"$GITHUB_WORKSPACE/deep/er/y\"\n");
  auto r = Kiln({"run", "--bind"});  // the set-id strip of the checkout itself
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| 755 /github/workspace/x"), std::string::npos)
      << r.out;  // already for step 2
  EXPECT_EQ(ModeOf(ws_ + "/x") & 07777, 0755u);
  EXPECT_EQ(ModeOf(ws_ + "/deep/er/y") & 07777, 0755u);
  EXPECT_EQ(ModeOf(ws_ + "/shared") & 07777, 02775u);  // a directory's setgid grants nothing
  EXPECT_EQ(ModeOf(outside) & 07777, 04755u);          // the link was not followed
}

// The same hole by other routes: file capabilities (a copy of perl with cap_setuid+ep is root
// for whoever runs it) and a 0666 terminal device node, which the host's mount does not make
// nodev. Neither may be left in the workspace.
TEST_F(SecuritySetId, FileCapabilitiesAndDeviceNodesAreRemovedFromTheWorkspace) {
  ImportDebian({"debian:bookworm"});
  // setxattr(2) through perl's syscall(): minbase has perl-base but no setcap.
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: |\n"
           "          cd \"$GITHUB_WORKSPACE\"\n"
           "          cp /usr/bin/perl capperl\n"
           "          perl -e '$p=\"capperl\"; $n=\"security.capability\"; "
           "$v=pack(\"VVVVV\",0x02000001,0xc0,0,0,0); "
           "exit(syscall(188,$p,$n,$v,20,0)==0?0:1)'\n"
           "          mknod pts0 c 136 0; chmod 666 pts0\n"
           "          mkdir -p d; mknod d/disk b 8 0\n");
  auto r = Kiln({"run", "--bind"});  // the set-id strip of the checkout itself
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_TRUE(PathExists(ws_ + "/capperl")) << r.out;
  EXPECT_LT(::getxattr((ws_ + "/capperl").c_str(), "security.capability", nullptr, 0), 0);
  EXPECT_FALSE(PathExists(ws_ + "/pts0"));
  EXPECT_FALSE(PathExists(ws_ + "/d/disk"));
}

}  // namespace
}  // namespace kiln::cli
