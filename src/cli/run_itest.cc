// kiln run end to end under crun: act's workflows on the Debian image, workflow errors.
#include <unistd.h>

#include <csignal>

#include "base/clock.h"
#include "cli/e2e_util.h"
#include "workflow/act_cases.h"

namespace kiln::cli {
namespace {

using RunE2E = KilnE2E;

// Every case of act's test suite (workflow/act_cases.h) under crun, each checked against its
// row. act's images cannot be pulled here: the Debian minbase image stands for the ubuntu
// labels and the node images, a busybox image for alpine (sh only), and PostgreSQL 15 on the
// Debian image (scripts/fixtures-postgres.sh) for postgres:12.
TEST_F(RunE2E, ActCasesGiveActsOutcomeUnderCrun) {
  ImportDebian({"debian:bookworm", "node:16-buster-slim", "node:16-buster"});
  testing::MakeBusyboxRootfs(dir_.Sub("busybox"));
  ASSERT_EQ(Kiln({"-q", "image", "import", dir_.Sub("busybox"), "alpine:latest"}).code, 0);
  std::string postgres = testing::PostgresOciLayout();
  ASSERT_FALSE(postgres.empty()) << "run scripts/fixtures.sh first (it makes the postgres image)";
  ASSERT_EQ(Kiln({"-q", "image", "import", "oci:" + postgres + ":postgres", "postgres:12"}).code,
            0);
  std::string base = testing::SourceDir() + "/../shared/external/act-testdata/";
  size_t ran = 0;
  for (const auto& c : workflow::ActCases()) {
    if (workflow::Skipped(c)) continue;
    std::vector<std::string> args = {"run", base + c.dir + "/" + c.file, "--event", c.event,
                                     "--json"};
    for (const char* label :
         {"ubuntu-latest", "ubuntu-18.04", "ubuntu-16.04", "macos-latest", "self-hosted"})
      args.insert(args.end(), {"-P", std::string(label) + "=debian:bookworm"});
    // As act's test passes them: the case's event.json as the payload (-e), .secrets as a
    // secret file, .env as an env file.
    std::string dir = base + c.dir + "/";
    if (PathExists(dir + "event.json")) args.insert(args.end(), {"-e", dir + "event.json"});
    if (PathExists(dir + ".secrets")) args.insert(args.end(), {"--secret-file", dir + ".secrets"});
    if (PathExists(dir + ".env")) args.insert(args.end(), {"--env-file", dir + ".env"});
    auto r = Kiln(args);
    workflow::ActObserved o;
    o.text = r.out + r.err;
    o.planned = r.code != 2;
    auto report = ParseJson(r.out);
    if (o.planned) {
      ASSERT_TRUE(report.ok()) << c.dir << ": " << r.out << r.err;
      o.success = (*report)["success"] == true;
      for (const auto& j : (*report)["jobs"]) {
        if (j["result"] == "failure") o.failed_jobs.push_back(j["id"]);
      }
      EXPECT_EQ(r.code, o.success ? 0 : 1) << c.dir;
    }
    EXPECT_EQ(workflow::ActMismatch(c, o), "")
        << c.dir << "/" << c.file << " (" << c.kiln_status << ")\n"
        << o.text;
    ++ran;
  }
  EXPECT_GE(ran, 30u);
  // Nothing is left behind: no sandbox dirs, no mounts.
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(RunE2E, MalformedWorkflowNamesFileLineColumn) {
  Workflow(
      "bad.yml",
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: hi\n        shel: bash\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(".github/workflows/bad.yml:7:9: unknown key \"shel\" in step"),
            std::string::npos)
      << r.err;
}

// As act does, a job whose runs-on label maps to no image is skipped with a warning;
// --strict-labels makes that an error.
TEST_F(RunE2E, UnmappedLabelSkipsTheJobUnlessStrict) {
  ImportDebian({"debian:bookworm"});
  Workflow("a.yml", "on: push\njobs:\n  a:\n    runs-on: gpu-large\n    steps: [{run: 'true'}]\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("maps to no image; map it with -P gpu-large=IMAGE"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("skipped"), std::string::npos) << r.out;
  r = Kiln({"run", "--strict-labels"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("maps to no image; map it with -P gpu-large=IMAGE"), std::string::npos)
      << r.out;
}

// Ctrl-C while a step sleeps: kiln stops the step at once, runs the always() step, cleans the
// sandbox up (no dir, no crun container) and exits 1 with the job cancelled.
TEST_F(RunE2E, CtrlCStopsTheStepAndCleansUp) {
  ImportDebian({"debian:bookworm"});
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: echo started; sleep 300\n"
           "      - if: always()\n        run: echo cleanup-ran\n");
  int pid = 0;
  std::string out;
  SubprocessOptions o;
  o.cwd = ws_;
  o.on_start = [&](int p) { pid = p; };
  o.on_line = [&](const std::string& line, bool, bool) {
    out += line + "\n";
    if (line.find("| started") != std::string::npos) ::kill(pid, SIGINT);
  };
  Stopwatch watch;
  auto r = RunProcess({testing::KilnBinary(), "--state-dir", state_, "run"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(watch.Seconds(), 60.0) << out;
  EXPECT_EQ(r->exit_code, 1) << out;
  EXPECT_NE(out.find("Cancelled - "), std::string::npos) << out;
  EXPECT_NE(out.find("| cleanup-ran"), std::string::npos) << out;
  EXPECT_NE(out.find("Job cancelled"), std::string::npos) << out;
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  auto crun = RunChecked({"crun", "--root", state_ + "/crun", "list", "-q"});
  ASSERT_TRUE(crun.ok()) << crun.status().ToString();
  EXPECT_EQ(crun->out, "");
}

}  // namespace
}  // namespace kiln::cli

namespace kiln::cli {
namespace {

// The warm pool end to end: `kiln pool fill` starts a sandbox; a job of that image and size
// takes it (its workspace mounted in), `--warm-pool 1` refills the pool in the background,
// a job of another size does not take it, and `kiln pool drain` leaves no sandbox behind.
TEST_F(RunE2E, WarmPoolSandboxesAreTakenByMatchingJobsAndRefilled) {
  ImportDebian({"debian:bookworm"});
  auto pool_size = [&] {
    auto ls = ParseJson(Kiln({"pool", "ls", "--json"}).out);
    return ls.ok() ? static_cast<int>(ls->size()) : -1;
  };
  auto fill = Kiln({"pool", "fill", "debian:bookworm", "--size", "2x8"});
  ASSERT_EQ(fill.code, 0) << fill.err;
  EXPECT_EQ(pool_size(), 1);
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm, size: 2x8}\n    steps:\n"
           "      - run: echo pooled > \"$GITHUB_WORKSPACE/out\"; nproc\n");
  auto run = Kiln({"run", "--bind", "--warm-pool", "1"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("(from the warm pool)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| 2\n"), std::string::npos) << run.out;  // the size's limits hold
  EXPECT_EQ(*ReadFile(ws_ + "/out"), "pooled\n");
  int waiting = 0;
  for (int i = 0; i < 200 && (waiting = pool_size()) < 1; ++i) ::usleep(50000);
  EXPECT_EQ(waiting, 1);  // refilled by the detached `kiln pool fill`

  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm, size: 4x16}\n    steps: "
           "[{run: 'true'}]\n");
  auto other = Kiln({"run"});
  EXPECT_EQ(other.code, 0) << other.out;
  EXPECT_EQ(other.out.find("(from the warm pool)"), std::string::npos) << other.out;
  EXPECT_EQ(pool_size(), 1);

  auto drain = Kiln({"pool", "drain"});
  EXPECT_EQ(drain.code, 0);
  EXPECT_NE(drain.out.find("removed 1 waiting sandbox"), std::string::npos) << drain.out;
  EXPECT_EQ(pool_size(), 0);
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace kiln::cli
