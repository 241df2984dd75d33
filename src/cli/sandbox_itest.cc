// kiln sandbox end to end: a long-lived sandbox, exec into it, snapshot it while it runs.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

using SandboxE2E = KilnE2E;

TEST_F(SandboxE2E, CreateExecSnapshotWhileRunningAndRemove) {
  ImportDebian({"debian:bookworm"});
  auto made = Kiln({"sandbox", "create", "debian:bookworm", "--size", "1x1"});
  ASSERT_EQ(made.code, 0) << made.err;
  std::string id = made.out.substr(0, made.out.find('\n'));
  EXPECT_EQ(Kiln({"sandbox", "exec", id, "--", "sh", "-c", "exit 7"}).code, 7);
  auto nproc = Kiln({"sandbox", "exec", id, "--", "nproc"});
  EXPECT_EQ(nproc.out, "1\n");
  ASSERT_EQ(Kiln({"sandbox", "exec", id, "--", "sh", "-c",
                  "echo kept > /root/note; (i=0; while true; do i=$((i+1)); echo $i > /tmp/tick; "
                  "sleep 0.1; done) >/dev/null 2>&1 &"})
                .code,
            0);
  auto snap = Kiln({"sandbox", "snapshot", id, "boxed"});
  ASSERT_EQ(snap.code, 0) << snap.err;
  EXPECT_NE(snap.out.find("boxed:1.0.0"), std::string::npos) << snap.out;
  // It runs on after the capture: the background counter still ticks (a counter, not `date`,
  // whose one-second resolution made this flaky), the shell still answers.
  EXPECT_EQ(Kiln({"sandbox", "exec", id, "--", "sh", "-c",
                  "a=$(cat /tmp/tick); sleep 0.5; test \"$a\" != \"$(cat /tmp/tick)\""})
                .code,
            0);
  // The same capture asked from inside: the next version.
  auto inside = Kiln({"sandbox", "exec", id, "--", "kiln-snapshot", "boxed"});
  EXPECT_EQ(inside.code, 0) << inside.err;
  EXPECT_EQ(inside.out, "boxed:1.1.0\n");
  auto ls = Kiln({"sandbox", "ls", "--json"});
  auto j = ParseJson(ls.out);
  ASSERT_TRUE(j.ok()) << ls.out;
  ASSERT_EQ(j->size(), 1u);
  EXPECT_EQ((*j)[0]["state"], "running");
  // A job on the captured image sees the sandbox's file.
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: boxed}\n    steps: [{run: 'test \"$(cat "
           "/root/note)\" = kept'}]\n");
  auto run = Kiln({"run"});
  EXPECT_EQ(run.code, 0) << run.out;
  ASSERT_EQ(Kiln({"sandbox", "rm", id}).code, 0);
  EXPECT_EQ(Kiln({"sandbox", "ls", "--json"}).out, "[]\n");
  EXPECT_NE(Kiln({"sandbox", "exec", id, "--", "true"}).code, 0);
}

}  // namespace
}  // namespace kiln::cli
