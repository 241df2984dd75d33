// 20,000 env entries (issue 7, item 6): merging env must stay near-linear. This took over a
// minute when each entry rebuilt the env context and SetEnv scanned the whole list.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

TEST(EnvScaleTest, TwentyThousandEnvEntriesKeepTheirOrderSemantics) {
  std::string yaml = "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n";
  for (int i = 0; i < 20000; ++i)
    yaml += "      E" + std::to_string(i) + ": v" + std::to_string(i) + "\n";
  yaml += "      LAST: ${{ env.E19999 }}-${{ env.E0 }}\n      E5: again\n";
  // sh (dash), as bash's own import of 20,000 variables takes seconds.
  yaml +=
      "    defaults: {run: {shell: sh}}\n    steps:\n      - run: echo \"got=$E19999 $LAST $E5\"; "
      "echo \"E7=seven\" >> \"$GITHUB_ENV\"\n"
      "      - run: echo \"then=$E7\"\n        env: {E8: step}\n";
  auto wf = ParseWorkflow(yaml, "t.yml");
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  testing::ScratchDir dir;
  RunOptions o;
  o.workspace = dir.Sub("ws");
  o.scratch_dir = dir.Sub("runs");
  ASSERT_TRUE(MakeDirs(o.workspace).ok());
  o.runners.default_image = "host";
  std::string log;
  o.out = [&](const std::string& l) { log += l + "\n"; };
  auto engine = testing_support::HostEngine(dir.path());
  auto r = RunWorkflows({*wf}, o, *engine);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << log.substr(0, 4000);
  EXPECT_NE(log.find("| got=v19999 v19999-v0 again\n"), std::string::npos) << log.substr(0, 4000);
  EXPECT_NE(log.find("| then=seven\n"), std::string::npos) << log.substr(0, 4000);
}

}  // namespace
}  // namespace kiln::workflow
