// The built-in actions through real `uses:` steps of a workflow on the fake (host) runtime:
// checkout of the working tree → actions/cache (miss, saved in post) → upload-artifact in job a
// → download-artifact in job b (needs a); a second run of the same workflow hits the cache.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/subprocess.h"
#include "testing/test_env.h"
#include "workflow/host_engine_testing.h"
#include "workflow/parse.h"
#include "workflow/runner.h"

namespace kiln::workflow {
namespace {

constexpr const char* kWorkflow = R"YML(on: push
jobs:
  a:
    runs-on: x
    outputs: {hit: "${{ steps.c.outputs.cache-hit }}"}
    steps:
      - uses: actions/checkout@v4
      - run: echo "tree=$(cat wip.txt) commits=$(git rev-list --count HEAD)"
      - id: c
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-${{ hashFiles('lock.txt') }}
      - run: echo "hit=${{ steps.c.outputs.cache-hit }} deps=$(cat deps/d.txt 2>/dev/null)"
      - run: mkdir -p deps out && echo fetched > deps/d.txt && echo "built from $(cat lock.txt)" > out/result.txt
      - uses: actions/upload-artifact@v4
        with: {name: result, path: out/result.txt}
  b:
    runs-on: x
    needs: a
    steps:
      - uses: actions/download-artifact@v4
        with: {name: result, path: got}
      - run: echo "b got $(cat got/result.txt)"
)YML";

class BuiltinE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string ws = dir_.Sub("ws");
    ASSERT_TRUE(MakeDirs(ws).ok());
    ASSERT_TRUE(WriteFileAtomic(ws + "/lock.txt", "lock-1").ok());
    for (std::vector<std::string> args : {std::vector<std::string>{"init", "-q"},
                                          {"add", "lock.txt"},
                                          {"commit", "-q", "-m", "one"},
                                          {"commit", "-q", "--allow-empty", "-m", "two"}}) {
      std::vector<std::string> argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                                       "-C",  ws};
      argv.insert(argv.end(), args.begin(), args.end());
      ASSERT_TRUE(RunChecked(argv).ok());
    }
    ASSERT_TRUE(WriteFileAtomic(ws + "/wip.txt", "uncommitted").ok());
  }
  RunReport Run() {
    log_.clear();
    auto wf = ParseWorkflow(kWorkflow, "t.yml");
    EXPECT_TRUE(wf.ok()) << wf.status().ToString();
    if (!wf.ok()) return {};
    RunOptions o;
    o.workspace = dir_.Sub("ws");
    o.scratch_dir = dir_.Sub("runs");
    o.cache_dir = dir_.Sub("cache");
    o.artifact_dir = dir_.Sub("artifacts");
    o.runners.default_image = "host";
    o.out = [&](const std::string& l) { log_ += l + "\n"; };
    auto engine = testing_support::HostEngine(dir_.path());
    auto r = RunWorkflows({*wf}, o, *engine);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunReport{};
  }
  bool Logged(const std::string& s) const { return log_.find(s) != std::string::npos; }
  testing::ScratchDir dir_;
  std::string log_;
};

TEST_F(BuiltinE2ETest, CheckoutCacheAndArtifactsAcrossJobsAndRuns) {
  RunReport first = Run();
  ASSERT_TRUE(first.success) << log_;
  ASSERT_EQ(first.jobs.size(), 2u);
  EXPECT_TRUE(Logged("| tree=uncommitted commits=1")) << log_;  // working tree, fetch-depth 1
  EXPECT_TRUE(Logged("| hit=false deps=\n")) << log_;
  EXPECT_TRUE(Logged("| b got built from lock-1")) << log_;
  EXPECT_FALSE(PathExists(dir_.Sub("ws") + "/out")) << "the job wrote to its own copy";

  RunReport second = Run();
  ASSERT_TRUE(second.success) << log_;
  EXPECT_TRUE(Logged("| hit=true deps=fetched")) << log_;
  EXPECT_TRUE(Logged("| b got built from lock-1")) << log_;
  for (const auto& j : second.jobs) {
    if (j.id == "a") {
      EXPECT_EQ(j.outputs.at("hit"), "true");
    }
  }
}

}  // namespace
}  // namespace kiln::workflow
