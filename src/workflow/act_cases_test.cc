// act's test workflows on the fake (host) runtime, where every image is the host: every case
// of act_cases.h, each checked against its row (act's outcome where kiln passes it, the
// documented failure where it does not yet).
#include "workflow/act_cases.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

ActObserved RunCase(const ActCase& c, const std::string& scratch) {
  ActObserved o;
  std::string dir = testing::SourceDir() + "/../shared/external/act-testdata/" + c.dir;
  auto wf = ParseWorkflowFile(dir + "/" + c.file);
  if (!wf.ok()) {
    o.planned = false;
    o.text = wf.status().ToString();
    return o;
  }
  RunOptions opt;
  opt.workspace = scratch + "/ws";
  opt.scratch_dir = scratch + "/runs";
  (void)MakeDirs(opt.workspace);
  opt.runners.default_image = "host";
  opt.event = c.event;
  opt.secrets = ReadActDotEnv(dir + "/.secrets");
  opt.env = ReadActDotEnv(dir + "/.env");
  opt.named_file = true;
  opt.out = [&](const std::string& l) { o.text += l + "\n"; };
  auto engine = testing_support::HostEngine(scratch);
  auto r = RunWorkflows({*wf}, opt, *engine);
  if (!r.ok()) {
    o.planned = false;
    o.text = r.status().ToString();
    return o;
  }
  o.success = r->success;
  for (const auto& j : r->jobs) {
    if (j.result == Outcome::kFailure) o.failed_jobs.push_back(j.id);
    if (!j.error.empty()) o.text += j.error + "\n";
  }
  return o;
}

TEST(ActCasesTest, EveryCaseGivesTheOutcomeItsRowSays) {
  size_t ran = 0;
  for (const auto& c : ActCases()) {
    if (Skipped(c)) continue;
    testing::ScratchDir scratch;
    ActObserved o = RunCase(c, scratch.path());
    EXPECT_EQ(ActMismatch(c, o), "") << c.dir << "/" << c.file << " (" << c.kiln_status << ")\n"
                                     << o.text;
    ++ran;
  }
  EXPECT_GE(ran, 30u);  // the table is not silently emptied
}

}  // namespace
}  // namespace kiln::workflow
