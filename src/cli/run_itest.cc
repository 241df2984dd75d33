// kiln run end to end under crun: act's workflows on the Debian image, workflow errors.
#include "cli/e2e_util.h"
#include "workflow/act_cases.h"

namespace kiln::cli {
namespace {

using RunE2E = KilnE2E;

TEST_F(RunE2E, ActCasesGiveActsOutcomeUnderCrun) {
  ImportDebian({"debian:bookworm", "node:16-buster-slim"});
  std::string base = testing::SourceDir() + "/../shared/external/act-testdata/";
  for (const auto& c : workflow::ActCases()) {
    auto r = Kiln({"run", base + c.dir + "/" + c.file, "-P", "ubuntu-latest=debian:bookworm",
                   "-P", "ubuntu-18.04=debian:bookworm", "-P", "macos-latest=debian:bookworm",
                   "-P", "self-hosted=debian:bookworm", "-P", "ubuntu-16.04=debian:bookworm", "--json"});
    EXPECT_EQ(r.code, c.success ? 0 : 1) << c.dir << "\n" << r.err;
    auto report = ParseJson(r.out);
    ASSERT_TRUE(report.ok()) << c.dir << ": " << r.out;
    EXPECT_EQ((*report)["success"], c.success) << c.dir;
    if (!c.success) {
      bool failed = false;
      for (const auto& j : (*report)["jobs"]) failed |= j["id"] == c.failing_job && j["result"] == "failure";
      EXPECT_TRUE(failed) << c.dir << "\n" << r.out;
    }
  }
  // Nothing is left behind: no sandbox dirs, no mounts.
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(RunE2E, MalformedWorkflowNamesFileLineColumn) {
  Workflow("bad.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: hi\n        shel: bash\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(".github/workflows/bad.yml:7:9: unknown key \"shel\" in step"), std::string::npos) << r.err;
}

TEST_F(RunE2E, UnmappedLabelIsAClearError) {
  ImportDebian({"debian:bookworm"});
  Workflow("a.yml", "on: push\njobs:\n  a:\n    runs-on: gpu-large\n    steps: [{run: 'true'}]\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("maps to no image; map it with -P gpu-large=IMAGE"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiln::cli
