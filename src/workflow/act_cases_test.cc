// act's test workflows on the fake (host) runtime, where every image is the host: every case
// of act_cases.h, each checked against its row (act's outcome where kiln passes it, the
// documented failure where it does not yet), or against kHostRuntime where the host runtime
// cannot do what crun does. As act's test does, a case's event.json is its event payload (-e).
#include "workflow/act_cases.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/json.h"
#include "testing/test_env.h"
#include "workflow/github_context.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

// Rows the host runtime (no sandboxes, images without config) runs differently from crun:
// the case's outcome here, in act_cases.h's terms.
const std::map<std::string, ActCase>& HostRuntimeRows() {
  static const std::map<std::string, ActCase> rows = {
      // container.options need the job's pod (a sandbox the runtime keeps); the host runtime
      // keeps none. The job without options runs on the host and passes.
      {"container-hostname",
       {"container-hostname", "push.yml", "push", true, "", "",
        "fails: the host runtime runs no pods (container.options need one)", "with-hostname",
        "the host runtime keeps no sandboxes"}},
      // services: run in the job's pod too (under crun a PostgreSQL 15 image stands in for
      // postgres:12: scripts/fixtures-postgres.sh).
      {"services",
       {"services", "push.yaml", "push", true, "", "",
        "skipped: the host runtime runs no pods (services: need one)"}},
  };
  return rows;
}

// The payload act's test passes with -e: the case's event.json, when it has one.
Json CasePayload(const std::string& dir) {
  auto text = ReadFile(dir + "/event.json");
  if (!text.ok()) return Json();
  auto payload = ParseJson(*text, dir + "/event.json");
  EXPECT_TRUE(payload.ok()) << payload.status().ToString();
  return payload.ok() ? *payload : Json();
}

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
  GithubOptions g;  // as `kiln run --event EVENT [-e event.json]` builds it
  g.repo_dir = opt.workspace;
  g.event_name = c.event;
  g.event = CasePayload(dir);
  opt.github = BuildGithubContext(g);
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
  for (ActCase c : ActCases()) {
    if (auto it = HostRuntimeRows().find(c.dir); it != HostRuntimeRows().end()) c = it->second;
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
