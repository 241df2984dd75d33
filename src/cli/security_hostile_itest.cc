// Hostile data reaching kiln run end to end (issue 7, item 6): bytes that are not UTF-8 in a
// step output and in GITHUB_ENV, printed through toJSON() and the --json report. Before: nlohmann's
// dump threw type_error 316, the uncaught exception aborted kiln (SIGABRT) and the sandbox
// stayed running, its directory and crun container left behind.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

using SecurityHostileRun = KilnE2E;

TEST_F(SecurityHostileRun, InvalidUtf8ThroughToJsonIsNoCrashAndLeavesNoSandbox) {
  ImportDebian({"debian:bookworm"});
  Workflow("w.yml", R"yaml(on: push
jobs:
  a:
    runs-on: {image: debian:bookworm}
    steps:
      - id: s
        run: |
          printf 'x=bad\377\376bytes\n' >> "$GITHUB_OUTPUT"
          printf 'BADENV=v\377\n' >> "$GITHUB_ENV"
      - env: {J: "${{ toJSON(env) }}"}
        run: |
          echo 'out: ${{ toJSON(steps.s.outputs) }}'
          echo "env: $J"
      - run: echo after-the-bad-bytes
)yaml");
  auto r = Kiln({"run", "--json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  auto report = ParseJson(r.out);
  ASSERT_TRUE(report.ok()) << r.out;
  EXPECT_EQ((*report)["success"], true) << r.out;
  auto text = Kiln({"run"});
  EXPECT_EQ(text.code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("\"x\": \"bad\xEF\xBF\xBD\xEF\xBF\xBD"
                          "bytes\""),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("after-the-bad-bytes"), std::string::npos) << text.out;
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  auto crun = RunChecked({"crun", "--root", state_ + "/crun", "list", "-q"});
  ASSERT_TRUE(crun.ok()) << crun.status().ToString();
  EXPECT_EQ(crun->out, "");
}

// A job names files with terminal escapes; `kiln image diff` printed them raw, so viewing a diff
// ran the job's escape sequences in the user's terminal (set its title, move the cursor, hide
// lines).
TEST_F(SecurityHostileRun, ImageDiffEscapesControlCharactersInNames) {
  ImportDebian({"debian:bookworm"});
  Workflow("w.yml", R"yaml(on: push
jobs:
  a:
    runs-on: {image: debian:bookworm}
    snapshot: evil
    steps:
      - run: |
          mkdir -p /opt/e
          touch "/opt/e/title$(printf '\033]0;pwned\007')" "/opt/e/line$(printf '\nD .bashrc')"
)yaml");
  auto r = Kiln({"run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto diff = Kiln({"image", "diff", "debian:bookworm", "evil:1.0.0"});
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_EQ(diff.out.find('\033'), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find('\007'), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("A /opt/e/title\\x1b]0;pwned\\x07\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("A /opt/e/line\\nD .bashrc\n"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("\nD .bashrc\n"), std::string::npos) << diff.out;  // no forged line
  auto json = Kiln({"image", "diff", "debian:bookworm", "evil:1.0.0", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  auto j = ParseJson(json.out);
  ASSERT_TRUE(j.ok()) << json.out;
  bool found = false;
  for (const auto& c : *j) found |= c["path"] == "/opt/e/title\033]0;pwned\007";
  EXPECT_TRUE(found) << json.out;
}

}  // namespace
}  // namespace kiln::cli
